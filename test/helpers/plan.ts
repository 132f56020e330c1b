import { createHash } from 'node:crypto';
import type { EnvironmentPlan, PlannedResource } from '../../tools/plan/harness';
import { TEMP_ROOT_VAR } from '../setup/temp-root';

const fs = jest.requireActual<typeof import('fs')>('fs');
const path = jest.requireActual<typeof import('path')>('path');

/**
 * Plans an environment under Pulumi mocks for tests, once per (env, overrides) in the whole run:
 * the first suite to ask plans it and saves the plan (plain JSON) in the run's temp root, later
 * suites, in any worker, read it; a suite that only reads never loads the Pulumi program at all.
 * Within a file, plans are never made two at once: Pulumi's runtime state is process-wide.
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
    plan = queue.then(() => sharedPlan(key, env, overrides));
    queue = plan.catch(() => undefined);
    cache.set(key, plan);
  }
  return plan;
}

async function sharedPlan(
  key: string,
  env: string,
  overrides: Readonly<Record<string, string>>,
): Promise<EnvironmentPlan> {
  const root = process.env[TEMP_ROOT_VAR];
  const file = root
    ? path.join(root, 'plans', `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`)
    : undefined;
  if (!file) return planHere(env, overrides);
  return savedBy(file, () => planHere(env, overrides));
}

async function planHere(env: string, overrides: Readonly<Record<string, string>>): Promise<EnvironmentPlan> {
  const { planEnvironment } = await import('../../tools/plan/harness');
  return JSON.parse(JSON.stringify(await planEnvironment(env, overrides))) as EnvironmentPlan;
}

/** How long a suite waits for the other worker's plan before making its own. */
const WAIT_FOR_OTHER_MS = 180_000;

/**
 * The plan saved at `file`, made with `make` by whichever worker asks first: the other waits for it
 * (an exclusive `.lock` file) instead of planning the same environment at the same time, which cost
 * both workers the CPU of a second plan. A worker that fails removes its lock and the waiter plans.
 */
export async function savedBy(file: string, make: () => Promise<EnvironmentPlan>): Promise<EnvironmentPlan> {
  const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as EnvironmentPlan;
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + WAIT_FOR_OTHER_MS;
  for (;;) {
    if (fs.existsSync(file)) return read();
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) return make();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (fs.existsSync(file)) return read();
    const plan = await make();
    // Written whole, then renamed: a suite in the other worker never reads half a plan.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(plan));
    fs.renameSync(partial, file);
    return plan;
  } finally {
    fs.rmSync(lock, { force: true });
  }
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

/**
 * A workload's data-plane grants across the environment: one inline policy per regional stack
 * (`<region>-workloads-<workload>`, named `data-plane-<region>`), primary first, merged statement by
 * statement (same Sid: resources concatenated). What the role may do in both regions together.
 */
export function mergedWorkloadPolicy(
  plan: EnvironmentPlan,
  workload: string,
): {
  Version: string;
  Statement: {
    Sid: string;
    Effect: string;
    Action: string[];
    Resource: string | string[];
    Condition?: unknown;
  }[];
} {
  type Doc = ReturnType<typeof mergedWorkloadPolicy>;
  const docs = plan.config.sites.map((s) => {
    const p = plan.resources.find(
      (r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name === `${s.region}-workloads-${workload}`,
    );
    if (!p) throw new Error(`no policy ${s.region}-workloads-${workload} in the ${plan.env} plan`);
    return jsonProp<Doc>(p, 'policy');
  });
  const merged = new Map<string, Doc['Statement'][number]>();
  for (const doc of docs) {
    for (const st of doc.Statement) {
      const seen = merged.get(st.Sid);
      if (!seen) merged.set(st.Sid, { ...st });
      else if (Array.isArray(seen.Resource) && Array.isArray(st.Resource)) {
        seen.Resource = [...seen.Resource, ...st.Resource.filter((r) => !seen.Resource.includes(r))];
      }
    }
  }
  return { Version: docs[0].Version, Statement: [...merged.values()] };
}
