import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { program } from '../../stacks/program';
import * as path from 'path';
import {
  EnvironmentConfig,
  parseEnvironmentConfig,
  PROJECT,
  StackUnit,
  unitStackName,
} from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { readUnitStackConfig } from '../../stacks/config/units';
import { freshOrder } from '../../stacks/units/order';
import { fillMissingRegions } from '../dr/outputs';
import { PlanMocks, PLAN_ORGANIZATION, STACK_REFERENCE_TYPE } from './mocks';
import { checkReferencedOutputs } from './reference-check';

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
  /** The environment's validated shared settings (no unit). */
  readonly config: EnvironmentConfig;
  /** Every stack's resources together, each once, sorted by URN (DESIGN.md §3.2). */
  readonly resources: PlannedResource[];
  /**
   * `runbook`: the environment's runbook outputs as the runbook assembles them from the regions'
   * copies; `stacks`: each stack's outputs, by stack name.
   */
  readonly outputs: Record<string, unknown>;
  /** The stacks, in the order they were planned (a fresh environment's deploy order). */
  readonly stacks: readonly StackPlan[];
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

/** One stack of an environment's plan. */
export interface StackPlan {
  /** The Pulumi stack name (`<env>-global`, `<env>-<region>`). */
  readonly stack: string;
  readonly unit: StackUnit;
  /** The stack's validated config (the environment's settings and its unit). */
  readonly config: EnvironmentConfig;
  /** This stack's resources, sorted by URN. */
  readonly resources: PlannedResource[];
  /** This stack's outputs, resolved under mocks. */
  readonly outputs: Record<string, unknown>;
}

/**
 * Plans every stack of an environment under Pulumi's mock engine, in deploy order for a fresh
 * environment (global, primary, DR: {@link freshOrder}), each with its own stack name (so URNs name
 * their stack) and its merged config (stacks/config/units.ts). A `StackReference` resolves from the
 * stacks planned before it; a reference to a later stack, or to an output it does not export, fails
 * naming the stack and the output. `resources` is the union of the stacks, every resource once, sorted
 * by URN; `config` is the environment's shared settings (no unit).
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
    const dir = path.dirname(file);
    const shared = readStackFile(file);
    const sharedValues = { ...shared.values, ...overrides };
    // Validate before Pulumi is touched: a bad config registers nothing (the program re-parses the same way).
    const config = parseEnvironmentConfig(sharedValues, {
      stack: env,
      isSecret: (k) => shared.secretKeys.includes(k),
    });
    const stacks: StackPlan[] = [];
    const outputsByStack: Record<string, Record<string, unknown>> = {};
    for (const unit of freshOrder(config)) {
      const stack = unitStackName(env, unit);
      const own = readUnitStackConfig(env, unit, dir);
      const values = { ...own.values, ...overrides };
      const stackConfig = parseEnvironmentConfig(values, {
        stack,
        isSecret: (k) => own.secretKeys.includes(k),
      });
      checkReferencedOutputs(config, unit, outputsByStack);
      const planned = await planStack(stack, values, own.secretKeys, outputsByStack);
      outputsByStack[stack] = planned.outputs;
      stacks.push({ stack, unit, config: stackConfig, ...planned });
    }
    const resources = stacks.flatMap((s) => s.resources).sort(byUrn);
    // The runbook's view: the regional stacks' published copies, each completing the other's regions
    // (what the runbook does with the two SSM parameters, tools/dr/outputs.ts).
    const runbook = stacks
      .filter((s) => s.unit !== 'global')
      .map((s) => s.outputs.runbook)
      .reduce((a, b) => (a === undefined ? b : fillMissingRegions(a, b)), undefined as unknown);
    return { env, config, resources, outputs: { runbook, stacks: outputsByStack }, stacks };
  } finally {
    restoreStackTraces();
    running = false;
  }
}

const byUrn = (a: PlannedResource, b: PlannedResource) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);

/** Runs the program once as `stack` with `values` as its config; the other stacks' outputs feed its references. */
async function planStack(
  stack: string,
  values: Record<string, string>,
  secretKeys: readonly string[],
  stackOutputs: Readonly<Record<string, Record<string, unknown>>>,
): Promise<{ resources: PlannedResource[]; outputs: Record<string, unknown> }> {
  const defaultRegion = values['aws:region'] ?? 'us-west-2';
  await pulumi.runtime.setMocks(
    new PlanMocks(defaultRegion, stackOutputs),
    PROJECT,
    stack,
    false,
    PLAN_ORGANIZATION,
  );
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

  pulumi.runtime.setAllConfig(values, [...secretKeys]);
  const outputs = (await settleProgram(() => pulumi.runtime.runInPulumiStack(async () => program()))) ?? {};
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

  const regions = assignRegions(registrations, defaultRegion);
  const resources = registrations
    // A StackReference reads another stack's outputs: it is not a resource of this stack's plan.
    .filter((r) => r.type !== STACK_REFERENCE_TYPE)
    .map((r): PlannedResource => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      region: regions.get(r.urn) ?? null,
      parent: r.parent,
      props: r.props,
    }))
    .sort(byUrn);
  return { resources, outputs: plainInputs(outputs) as Record<string, unknown> };
}

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
      throw new Error([describe(err), ...others.map(describe)].join('\n'), { cause: err });
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
