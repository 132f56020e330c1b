import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { RunbookOutputs, runbookOutputsSchema, runbookParameterName } from '../../stacks/outputs';
import { UsageError } from '../lib/exit-codes';

/**
 * Loads and validates the runbook's configuration: the `runbook` stack output.
 *
 * Accepts either the whole stack-output object (`{ "runbook": {...} }`, as printed by
 * `pulumi stack output --json` and written by `npm run plan`) or the bare runbook object.
 * Anything invalid is a {@link UsageError} naming the field, the value and what was expected (exit 2).
 */
export function parseRunbookOutputs(raw: unknown, source: string): RunbookOutputs {
  const candidate =
    raw !== null && typeof raw === 'object' && 'runbook' in raw ? (raw as { runbook: unknown }).runbook : raw;
  const parsed = runbookOutputsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new UsageError(`${source}: runbook.${field}`, valueAt(candidate, issue.path), issue.message);
  }
  return parsed.data;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Reads outputs from a JSON file (`--outputs <file>`). */
export async function loadOutputsFile(file: string): Promise<RunbookOutputs> {
  return parseRunbookOutputs(await readOutputsJson(file), file);
}

/** The JSON of an outputs file, unvalidated. */
async function readOutputsJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError('--outputs', file, `a readable JSON file (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError('--outputs', file, `valid JSON (${(err as Error).message})`);
  }
  return raw;
}

/** Reads one SSM parameter in a region; `undefined` when it does not exist there. */
export type ParameterReader = (region: string, name: string) => Promise<string | undefined>;

/** Where the runbook looks for its outputs when `--outputs` is not given. */
export interface OutputsSources {
  /**
   * The regions whose SSM parameter to read, in order: the operation's target (healthy) region first,
   * then the other. @default none (straight to `pulumi stack output`)
   */
  readonly regions?: () => readonly string[];
  /** @default GetParameter through @aws-sdk/client-ssm (loaded on first use) */
  readonly readParameter?: ParameterReader;
  /** The last resort. @default `pulumi stack output --json --stack <env>-<region>` for each region in turn */
  readonly readStack?: (env: string) => Promise<unknown>;
  /** Told where the outputs came from (a progress line for the operator). */
  readonly onSource?: (source: string) => void;
}

const readParameterWithSdk: ParameterReader = async (region, name) =>
  (await import('./ssm')).readParameter(region, name);

/**
 * No source of the published outputs could be read, and every one failed for an operational reason
 * (credentials, network, throttling, `pulumi` missing), not because the outputs are absent or
 * invalid: exit 1 (the input is fine; the environment around it is not).
 */
export class OutputsUnavailable extends Error {
  override name = 'OutputsUnavailable';
}

/** `pulumi stack output` failed because the stack does not exist (not an operational failure). */
const PULUMI_NOT_FOUND = /no stack named|stack '?[^ ]*'? (?:was )?not found/i;

/** The published outputs, unvalidated: SSM in each region in turn, then `pulumi stack output`. */
async function readPublished(
  env: string,
  sources: OutputsSources,
): Promise<{ raw: unknown; source: string }> {
  const name = runbookParameterName(env);
  const read = sources.readParameter ?? readParameterWithSdk;
  const misses: string[] = [];
  /** Whether every source so far failed operationally (not: absent, bad JSON, bad schema). */
  let allOperational = true;
  let partial: { raw: unknown; source: string } | undefined;
  for (const region of sources.regions?.() ?? []) {
    const source = `SSM ${name} in ${region}`;
    let text: string | undefined;
    try {
      text = await read(region, name);
    } catch (err) {
      misses.push(`${source}: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (text === undefined) {
      misses.push(`${source}: not found`);
      allOperational = false;
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text) as unknown;
    } catch (err) {
      throw new UsageError(source, text.slice(0, 40), `valid JSON (${(err as Error).message})`);
    }
    // Each region's stack publishes its own parameter (one stack per region): the primary's copy
    // lacks the DR region until the primary is next deployed after DR. Complete it from the next copy.
    partial = partial
      ? { raw: fillMissingRegions(partial.raw, raw), source: `${partial.source} + ${region}` }
      : { raw, source };
    if (missingRegions(partial.raw).length === 0) return partial;
  }
  if (partial) return partial;
  const stackRegions = sources.regions?.() ?? [];
  const source = `pulumi stack output --stack ${stackRegions.length ? stackRegions.map((r) => `${env}-${r}`).join(', ') : env}`;
  try {
    return {
      raw: await (sources.readStack ?? ((e: string) => readStackOutputJson(e, stackRegions)))(env),
      source,
    };
  } catch (err) {
    const e = err as Error & { code?: unknown; stderr?: unknown };
    const absentOrInvalid =
      e instanceof SyntaxError || PULUMI_NOT_FOUND.test(`${e.message} ${String(e.stderr ?? '')}`);
    if (allOperational && !absentOrInvalid) {
      throw new OutputsUnavailable(
        `could not read the runbook outputs of ${env} from any source (${[
          ...misses,
          `${source}: ${e.message.split('\n')[0]}`,
        ].join('; ')}): check the AWS credentials and the network (or pass --outputs <file>)`,
      );
    }
    throw new UsageError(
      '--outputs',
      undefined,
      `a file with the stack outputs, because no published outputs could be read (${[
        ...misses,
        `${source}: ${(err as Error).message.split('\n')[0]}`,
      ].join('; ')})`,
    );
  }
}

/** The runbook object inside a stack-output object (`{ runbook }`) or the bare object. */
function runbookOf(raw: unknown): Record<string, unknown> | undefined {
  const candidate =
    raw !== null && typeof raw === 'object' && 'runbook' in raw ? (raw as { runbook: unknown }).runbook : raw;
  return candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate)
    ? (candidate as Record<string, unknown>)
    : undefined;
}

/** The environment's regions (primary, DR) that a published copy has no entry for. */
export function missingRegions(raw: unknown): string[] {
  const rb = runbookOf(raw);
  if (!rb || typeof rb.regions !== 'object' || rb.regions === null) return [];
  const regions = rb.regions as Record<string, unknown>;
  return [rb.primaryRegion, rb.drRegion].filter((r): r is string => typeof r === 'string' && !(r in regions));
}

/**
 * `first` with the regions it lacks taken from `next` (another region's copy), and its `canary`
 * section when it has none (a copy published before it existed); `first` wins otherwise.
 */
export function fillMissingRegions(first: unknown, next: unknown): unknown {
  const a = runbookOf(first);
  const b = runbookOf(next);
  if (!a || !b || typeof b.regions !== 'object' || b.regions === null) return first;
  const regions = { ...(a.regions as Record<string, unknown>) };
  for (const r of missingRegions(first)) {
    const entry = (b.regions as Record<string, unknown>)[r];
    if (entry !== undefined) regions[r] = entry;
  }
  return { ...a, regions, ...(a.canary === undefined && b.canary !== undefined ? { canary: b.canary } : {}) };
}

/**
 * The runbook outputs from `pulumi stack output --json` of the environment's regional stacks
 * (`<env>-<region>`, one stack per region), in the given order, each completing the previous one's
 * missing regions; unvalidated (the last resort).
 */
async function readStackOutputJson(env: string, regions: readonly string[] = []): Promise<unknown> {
  const stacks = regions.length > 0 ? regions.map((r) => `${env}-${r}`) : [env];
  let merged: unknown;
  let lastError: unknown;
  for (const stack of stacks) {
    let raw: unknown;
    try {
      const { stdout } = await promisify(execFile)(
        'pulumi',
        ['stack', 'output', '--json', '--stack', stack],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      raw = JSON.parse(stdout) as unknown;
    } catch (err) {
      lastError = err;
      continue;
    }
    merged = merged === undefined ? raw : fillMissingRegions(merged, raw);
    if (missingRegions(merged).length === 0) break;
  }
  if (merged === undefined) throw lastError;
  return merged;
}

/**
 * Loads outputs from `--outputs` when given; else from the SSM parameter the program publishes in
 * each region (the target region's first, then the other's), then `pulumi stack output` as a last
 * resort. Checks they belong to `env`.
 */
export async function loadOutputs(
  env: string,
  file?: string,
  sources: OutputsSources = {},
): Promise<RunbookOutputs> {
  if (file) return checkOutputs(env, await loadOutputsFile(file));
  const { raw, source } = await readPublished(env, sources);
  sources.onSource?.(source);
  return checkOutputs(env, parseRunbookOutputs(raw, source));
}

/**
 * Like {@link loadOutputs}, but a stack that has never been deployed (no parameter in any region and
 * `pulumi stack output --json` prints `{}`) gives `undefined` instead of an error: there is nothing
 * deployed to compare with yet.
 */
export async function loadDeployedOutputs(
  env: string,
  file?: string,
  sources: OutputsSources = {},
): Promise<RunbookOutputs | undefined> {
  const { raw, source } = file
    ? { raw: await readOutputsJson(file), source: file }
    : await readPublished(env, sources);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0) {
    return undefined;
  }
  sources.onSource?.(source);
  return checkOutputs(env, parseRunbookOutputs(raw, source));
}

function checkOutputs(env: string, outputs: RunbookOutputs): RunbookOutputs {
  if (outputs.environment !== env) {
    throw new UsageError('--env', env, `the environment of the outputs ('${outputs.environment}')`);
  }
  for (const region of [outputs.primaryRegion, outputs.drRegion]) {
    if (!outputs.regions[region]) {
      throw new UsageError(
        'runbook.regions',
        Object.keys(outputs.regions),
        `an entry for region '${region}'`,
      );
    }
  }
  return outputs;
}
