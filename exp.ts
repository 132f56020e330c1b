import * as fs from 'fs';
import { readStackFile, stackFilePath } from './stacks/config/stack-file';
import { parseEnvironmentConfig } from './stacks/config/load';
import { readSimPlan } from './tools/sim/plan-reader';
import { modelOf } from './tools/sim/model';
import { committedTraces } from './tools/sim/trace';
import { simulateTrace } from './tools/sim/run';
import { DEFAULT_ASSUMPTIONS } from './tools/sim/assumptions';
import type { SimPlan } from './tools/sim/types';
const env = 'prod';
const sc = readStackFile(stackFilePath(env));
const config = parseEnvironmentConfig(sc.values, { stack: env, isSecret: (k) => sc.secretKeys.includes(k) });
const base = readSimPlan(JSON.parse(fs.readFileSync(`dist/plan/${env}/resources.json`, 'utf8')));
const variants: Record<string, { plan?: (p: SimPlan) => SimPlan; extra?: number; burst?: boolean }> = {
  today: {},
  burst: { burst: true },
  'extra1': { extra: 1 },
  'extra2': { extra: 2 },
  'tables-min-peak': { plan: (p) => ({ ...p, regions: p.regions.map((r) => ({ ...r, tables: r.tables.map((t) => ({ ...t, minCapacity: Math.ceil(t.maxCapacity / 1.5 / 0.7) })) })) }) },
};
const pick = process.argv.slice(2);
for (const [name, v] of Object.entries(variants)) {
  if (pick.length && !pick.includes(name)) continue;
  const plan = v.plan ? v.plan(base) : base;
  for (const tr of committedTraces()) {
    if (tr.name === 'diurnal-day') continue;
    const r = simulateTrace(plan, modelOf(config), tr, { extraNodesPerGroup: v.extra, assumptions: { ...DEFAULT_ASSUMPTIONS, dynamodbBurstCapacity: !!v.burst } });
    console.log(name.padEnd(16), tr.name.padEnd(18), r.verdict, 'rto', r.rtoSeconds ?? '-', [...r.workloads, ...r.tables].map((w) => `${w.workload}:${w.timeToCapacitySeconds}/${w.breachSeconds}`).join(' '), r.rtoStages ? r.rtoStages.map((s) => s.seconds).join('+') : '');
  }
}
