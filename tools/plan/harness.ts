import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { program } from '../../stacks/program';
import { EnvironmentConfig, parseEnvironmentConfig, PROJECT } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { PlanMocks } from './mocks';

/** One registered resource in `resources.json` (DESIGN.md §3.2). */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly region: string | null;
  readonly parent: string | null;
  readonly props: Record<string, unknown>;
}

/** The result of planning one environment. */
export interface EnvironmentPlan {
  readonly env: string;
  /** The validated environment config the program ran with. */
  readonly config: EnvironmentConfig;
  readonly resources: PlannedResource[];
  /** The stack outputs, resolved under mocks. */
  readonly outputs: Record<string, unknown>;
}

interface Registration {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  provider: string | null;
  props: Record<string, unknown>;
}

const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SIG_SECRET = '1b47061264138c4ac30d75fd1eb44270';
const SIG_RESOURCE = '5cf8f73096256a8f31e491e813e4eb8e';
const SIG_ASSET = 'c44067f5952c0a294b673a41bacd8c17';
const SIG_ARCHIVE = '0def7320c3a5731c473e5ecbe6d01bc7';
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** What a secret input is written as: plans are uploaded as CI artifacts and must never hold one. */
export const SECRET_MARKER = '[secret]';

/** Turns the wire form of inputs into plain JSON: secrets masked, resource references as URNs. */
export function plainInputs(value: unknown): unknown {
  if (value === UNKNOWN) return '[unknown]';
  if (Array.isArray(value)) return value.map(plainInputs);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    switch (obj[SIG_KEY]) {
      case SIG_SECRET:
        return SECRET_MARKER;
      case SIG_RESOURCE:
        return obj.urn;
      case SIG_ASSET:
        // A text asset (the canary's bundle, issue 13) is shown by its hash, so the plan changes with the code.
        return {
          asset:
            obj.path ??
            obj.uri ??
            (typeof obj.text === 'string'
              ? `sha256:${createHash('sha256').update(obj.text).digest('hex')}`
              : '[text]'),
        };
      case SIG_ARCHIVE:
        return { archive: obj.path ?? obj.uri ?? plainInputs(obj.assets) };
      default:
        return Object.fromEntries(
          Object.keys(obj)
            .sort()
            .map((k) => [k, plainInputs(obj[k])]),
        );
    }
  }
  return value;
}

/** Services whose resources are global: they land in no region. */
const GLOBAL_AWS_MODULES = new Set([
  'iam',
  'route53',
  'route53recoverycontrol',
  'cloudfront',
  'organizations',
]);

/**
 * Derives the `region` of every resource: an AWS resource's own `region` input (pulumi-aws v7), null
 * for global services, the default provider's region otherwise; a Kubernetes resource takes its
 * provider's region; a component takes the one region its children share (or null); a provider takes
 * its own `region` input or its parent's region.
 */
export function assignRegions(
  regs: readonly Registration[],
  defaultRegion: string,
): Map<string, string | null> {
  const byUrn = new Map(regs.map((r) => [r.urn, r]));
  const region = new Map<string, string | null>();
  const children = new Map<string, Registration[]>();
  for (const r of regs) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const explicit = (r: Registration): string | null | undefined => {
    if (typeof r.props.region === 'string') return r.props.region;
    if (r.type.startsWith('aws:')) {
      const module = r.type.split(':')[1].split('/')[0];
      if (GLOBAL_AWS_MODULES.has(module)) return null;
      const providerUrn = r.provider?.split('::').slice(0, -1).join('::');
      const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
      if (provider && typeof provider.props.region === 'string') return provider.props.region;
      return defaultRegion;
    }
    return undefined;
  };
  const componentRegion = (urn: string, seen = new Set<string>()): string | null | undefined => {
    if (region.has(urn)) return region.get(urn);
    if (seen.has(urn)) return null;
    seen.add(urn);
    const r = byUrn.get(urn);
    if (!r) return null;
    const own = explicit(r);
    if (own !== undefined) return own;
    const kids = children.get(urn) ?? [];
    const found = new Set(
      kids.map((k) => componentRegion(k.urn, seen)).filter((x): x is string => typeof x === 'string'),
    );
    return found.size === 1 ? [...found][0] : null;
  };
  for (const r of regs) {
    if (r.type.startsWith('kubernetes:') || r.type.startsWith('pulumi:providers:kubernetes')) continue;
    region.set(r.urn, componentRegion(r.urn) ?? null);
  }
  const parentRegion = (r: Registration): string | null => {
    for (let p = r.parent; p; p = byUrn.get(p)?.parent ?? null) {
      const v = region.get(p);
      if (v) return v;
    }
    return null;
  };
  for (const r of regs) {
    if (r.type.startsWith('pulumi:providers:kubernetes')) region.set(r.urn, parentRegion(r));
  }
  for (const r of regs) {
    if (!r.type.startsWith('kubernetes:')) continue;
    const providerUrn = r.provider?.split('::').slice(0, -1).join('::');
    region.set(r.urn, (providerUrn && region.get(providerUrn)) || parentRegion(r));
  }
  return region;
}

let running = false;

/**
 * Runs the Pulumi program of one environment in-process under Pulumi's mock engine
 * (`pulumi.runtime.setMocks`): no CLI, no cloud. The same `program()` that `index.ts` runs.
 *
 * @param env the stack name; its config is read from `environments/Pulumi.<env>.yaml`
 * @param overrides replaces config values (`key` -> string value), for tests
 * @throws ConfigError before any resource is registered when the config is invalid
 */
export async function planEnvironment(
  env: string,
  overrides: Readonly<Record<string, string>> = {},
  file = stackFilePath(env),
): Promise<EnvironmentPlan> {
  if (running) throw new Error('planEnvironment is not re-entrant: Pulumi runtime state is process-wide');
  running = true;
  // Pulumi captures a full stack trace for every resource (its source position for the engine) and for
  // every internal promise (leak diagnostics). With source maps on (tsx, jest) each capture maps every
  // frame: that was two thirds of the plan's time. The offline plan uses neither, so while it runs,
  // stack traces are raw and promise traces empty. Error messages are unaffected.
  const restoreStackTraces = rawStackTraces();
  try {
    const stackConfig = readStackFile(file);
    const values = { ...stackConfig.values, ...overrides };
    const defaultRegion = values['aws:region'] ?? 'us-west-2';
    // Validate before Pulumi is touched: a bad config registers nothing (the program re-parses the same way).
    const config = parseEnvironmentConfig(values, {
      stack: env,
      isSecret: (k) => stackConfig.secretKeys.includes(k),
    });

    await pulumi.runtime.setMocks(new PlanMocks(defaultRegion), PROJECT, env, false);
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource: (req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => Promise<void>;
      constructor: { name: string };
    };
    if (monitor?.constructor?.name !== 'MockMonitor') {
      throw new Error('the Pulumi mock monitor is not installed; refusing to plan against a real engine');
    }
    const registrations: Registration[] = [];
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (req, cb) =>
      original(req, (err, res) => {
        if (!err && res) {
          const urn = (res as { getUrn(): string }).getUrn();
          registrations.push({
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || null,
            provider: req.getProvider() || null,
            props: plainInputs(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
          });
        }
        cb(err, res);
      });

    pulumi.runtime.setAllConfig(values, stackConfig.secretKeys);
    const outputs = (await settleProgram(() => pulumi.runtime.runInPulumiStack(async () => program()))) ?? {};
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const regions = assignRegions(registrations, defaultRegion);
    const resources = registrations
      .map((r): PlannedResource => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        region: regions.get(r.urn) ?? null,
        parent: r.parent,
        props: r.props,
      }))
      .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { env, config, resources, outputs: plainInputs(outputs) as Record<string, unknown> };
  } finally {
    restoreStackTraces();
    running = false;
  }
}

/**
 * Runs the program and surfaces its error once. When a component throws, Pulumi rejects the stack
 * resource's promises as well as the one returned here; those extra rejections are the same failure
 * and would otherwise crash the process as unhandled after the CLI has already reported it.
 */
async function settleProgram<T>(run: () => Promise<T>): Promise<T> {
  const strays: unknown[] = [];
  const collect = (reason: unknown) => strays.push(reason);
  const drain = async () => {
    // Let the stack resource's own rejections fire while the handler is installed.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));
  process.on('unhandledRejection', collect);
  try {
    let result: T;
    try {
      result = await run();
    } catch (err) {
      await drain();
      const others = strays.filter((r) => describe(r) !== describe(err));
      if (others.length === 0) throw err;
      throw new Error([describe(err), ...others.map(describe)].join('\n'));
    }
    await drain();
    // An unhandled rejection in a program that otherwise finished is a failure, never ignored.
    if (strays.length > 0) throw strays[0];
    return result;
  } finally {
    process.off('unhandledRejection', collect);
  }
}

/** Turns off source-mapped stack traces and stack capture by default; returns the undo. */
function rawStackTraces(): () => void {
  const proc = process as NodeJS.Process & { sourceMapsEnabled?: boolean };
  const sourceMaps = proc.sourceMapsEnabled ?? false;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  process.setSourceMapsEnabled(false);
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  Error.stackTraceLimit = 0;
  return () => {
    process.setSourceMapsEnabled(sourceMaps);
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
