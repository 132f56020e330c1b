import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { RunbookOutputs, runbookOutputsSchema } from '../../stacks/outputs';
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
  return parseRunbookOutputs(raw, file);
}

/** Reads outputs with `pulumi stack output --json --stack <env>`. */
export async function loadOutputsFromStack(env: string): Promise<RunbookOutputs> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('pulumi', ['stack', 'output', '--json', '--stack', env], {
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    throw new UsageError(
      '--outputs',
      undefined,
      `a file with the stack outputs, because \`pulumi stack output --json --stack ${env}\` failed (${(err as Error).message.split('\n')[0]})`,
    );
  }
  return parseRunbookOutputs(JSON.parse(stdout) as unknown, `pulumi stack output --stack ${env}`);
}

/** Loads outputs from `--outputs` when given, else from the Pulumi stack; checks they belong to `env`. */
export async function loadOutputs(env: string, file?: string): Promise<RunbookOutputs> {
  const outputs = file ? await loadOutputsFile(file) : await loadOutputsFromStack(env);
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
