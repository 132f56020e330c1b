import { EnvironmentPlan, planEnvironment, PlannedResource } from '../../tools/plan/harness';

/**
 * Plans an environment under Pulumi mocks for tests, once per (env, overrides) within a test file
 * (jest gives each file its own module registry), and never two at once: Pulumi's runtime state is
 * process-wide, so calls are chained.
 */
const cache = new Map<string, Promise<EnvironmentPlan>>();
let queue: Promise<unknown> = Promise.resolve();

export function planOf(
  env: string,
  overrides: Readonly<Record<string, string>> = {},
): Promise<EnvironmentPlan> {
  const key = `${env}:${JSON.stringify(Object.entries(overrides).sort())}`;
  let plan = cache.get(key);
  if (!plan) {
    plan = queue.then(() => planEnvironment(env, overrides));
    queue = plan.catch(() => undefined);
    cache.set(key, plan);
  }
  return plan;
}

/** The resources of one type, optionally only those in one region. */
export function ofType(plan: EnvironmentPlan, type: string, region?: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type && (region === undefined || r.region === region));
}

/** The resources of one type in a list of planned resources. */
export function byType(resources: readonly PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((r) => r.type === type);
}

/** Parses a JSON-string prop (policies, redrive policies) of a planned resource. */
export function jsonProp<T = Record<string, unknown>>(r: PlannedResource, prop: string): T {
  const v = r.props[prop];
  if (typeof v !== 'string')
    throw new Error(`${r.urn}: prop '${prop}' is not a JSON string (${JSON.stringify(v)})`);
  return JSON.parse(v) as T;
}
