import * as fs from 'fs';
import * as path from 'path';
import { ackFileFor } from '../diff/cli';
import { readAcknowledgements } from '../diff/acknowledgements';
import { DiffResult, diffPlans } from '../diff/diff';
import { envOf, loadPlan, LoadedPlan, PlanRecord } from '../diff/load';
import { CostReport, estimateCost } from '../cost/estimate';
import { PRICE_FILE, readPriceTable } from '../cost/prices';
import { CostDelta, costDelta } from '../cost/render';
import { resolvePolicyConfig } from '../policy/cli';
import { evaluatePolicies, Violation } from '../policy/evaluate';
import { maskValue, secretValues } from './mask';
import { SimResult } from './sim';

/** One environment's policy verdicts on the head plan, and which of them the base did not have. */
export interface EnvPolicy {
  readonly env: string;
  readonly head: readonly Violation[];
  /** Keys (`policy|urn|message`) of the head's verdicts the base plan also has. */
  readonly onBase: ReadonlySet<string>;
  /** Verdicts the base plan has and the head no longer does. */
  readonly resolved: readonly Violation[];
}

/** Everything the comment shows, gathered from the two plans. */
export interface PrViewInput {
  readonly diff: DiffResult;
  readonly policy: readonly EnvPolicy[];
  readonly cost: { readonly base: CostReport; readonly head: CostReport; readonly delta: CostDelta[] };
  /** The head plan's `report.md` per environment, where the plan wrote one. */
  readonly reports: readonly { readonly env: string; readonly markdown: string }[];
  readonly sim?: SimResult;
  /** Plaintext values found where secrets belong, scrubbed from the comment. */
  readonly secrets: ReadonlySet<string>;
}

export const violationKey = (v: Violation): string => `${v.policy}|${v.urn}|${v.message}`;

/** The plan file each environment of a plan was first read from (for its policy config and report). */
function fileOfEnv(plan: LoadedPlan): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of plan.files) {
    const first = JSON.parse(fs.readFileSync(file, 'utf8')) as { urn?: string }[];
    const env = first[0]?.urn ? envOf(first[0].urn) : undefined;
    if (env && !out.has(env)) out.set(env, file);
  }
  return out;
}

function byEnv(resources: readonly PlanRecord[]): Map<string, PlanRecord[]> {
  const out = new Map<string, PlanRecord[]>();
  for (const r of resources) out.set(envOf(r.urn), [...(out.get(envOf(r.urn)) ?? []), r]);
  return out;
}

/** Each environment's verdicts, through the same evaluator as `npm run policy` and the plan. */
async function policyOf(plan: LoadedPlan): Promise<Map<string, Violation[]>> {
  const files = fileOfEnv(plan);
  const out = new Map<string, Violation[]>();
  for (const [env, resources] of byEnv(plan.resources)) {
    const file = files.get(env) ?? plan.files[0];
    out.set(env, await evaluatePolicies(resources, resolvePolicyConfig(file, resources)));
  }
  return out;
}

export interface GatherOptions {
  /** The simulator's verdicts, when there are any (read by `readSim`). */
  readonly sim?: SimResult;
  /** @default tools/cost/prices.json */
  readonly prices?: string;
  /** Called before each step, for progress lines. */
  readonly step?: <T>(name: string, fn: () => Promise<T> | T) => Promise<T>;
}

/**
 * Reads both plans (bad input throws a UsageError naming `--base` or `--head`), diffs them with the
 * head's acknowledgements, evaluates the policies on both and prices both.
 */
export async function gather(baseArg: string, headArg: string, opts: GatherOptions): Promise<PrViewInput> {
  const step = opts.step ?? (<T>(_: string, fn: () => Promise<T> | T) => Promise.resolve(fn()));
  const base = loadPlan(baseArg, '--base');
  const head = loadPlan(headArg, '--head');
  const acks = readAcknowledgements(ackFileFor(headArg));
  const prices = readPriceTable(opts.prices ?? PRICE_FILE);
  const secrets = secretValues([...base.resources, ...head.resources]);

  const raw = await step('diff base -> head', () => diffPlans(base.resources, head.resources, acks));
  const diff: DiffResult = {
    ...raw,
    changes: raw.changes.map((c) => ({
      ...c,
      details: c.details.map((d) => ({
        ...d,
        old: maskValue(d.old, secrets),
        new: maskValue(d.new, secrets),
      })),
    })),
  };
  const headPolicy = await step('policies on the head plan', () => policyOf(head));
  const basePolicy = await step('policies on the base plan', () => policyOf(base));
  const policy = [...headPolicy].map(([env, vs]): EnvPolicy => {
    const baseKeys = new Set((basePolicy.get(env) ?? []).map(violationKey));
    const headKeys = new Set(vs.map(violationKey));
    return {
      env,
      head: vs,
      onBase: new Set(vs.map(violationKey).filter((k) => baseKeys.has(k))),
      resolved: (basePolicy.get(env) ?? []).filter((v) => !headKeys.has(violationKey(v))),
    };
  });
  const cost = await step('cost of both plans', () => {
    const [b, h] = [estimateCost(base.resources, prices), estimateCost(head.resources, prices)];
    return { base: b, head: h, delta: costDelta(b, h) };
  });
  const reports = [...fileOfEnv(head)].flatMap(([env, file]) => {
    const report = path.join(path.dirname(file), 'report.md');
    return fs.existsSync(report) ? [{ env, markdown: fs.readFileSync(report, 'utf8') }] : [];
  });
  return { diff, policy, cost, reports, sim: opts.sim, secrets };
}
