import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentConfig, parseEnvironmentConfig } from '../../stacks/config/load';
import {
  ENVIRONMENTS_DIR,
  listEnvironments,
  readStackFile,
  stackFilePath,
} from '../../stacks/config/stack-file';
import { readPriceTable } from '../cost/prices';
import { parseArgs } from '../lib/args';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { Progress } from '../lib/progress';
import { PLAN_DIR, planAndWrite } from '../plan/run';
import { DEFAULT_ASSUMPTIONS } from './assumptions';
import { modelOf } from './model';
import { PlanResource, readSimPlan } from './plan-reader';
import { renderSimulation, simulationJson } from './report';
import { simulateTrace, TraceResult } from './run';
import { committedTraces, readTrace } from './trace';

function loadConfig(env: string, dir: string): EnvironmentConfig {
  const sc = readStackFile(stackFilePath(env, dir));
  return parseEnvironmentConfig(sc.values, { stack: env, isSecret: (k) => sc.secretKeys.includes(k) });
}

function readPlan(file: string): PlanResource[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError('--plan', file, `a readable resources.json (${(e as Error).message})`);
  }
  if (!Array.isArray(data))
    throw new UsageError('--plan', file, 'a JSON array of resources (DESIGN.md §3.2)');
  return data as PlanResource[];
}

/**
 * `npm run simulate -- --env <env> [--plan <resources.json>] [--trace <file>] [--json]`: simulates the
 * autoscalers of a plan on the committed traces (or one). Exit 1 when a trace breaches a mandatory
 * budget, 2 on bad input (including a plan whose autoscaled Deployment has no autoscaler).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('simulate')
    .description(
      'Simulate HPA/KEDA, cluster-autoscaler, DynamoDB and failover timing of a plan on demand traces.',
    )
    .requiredOption('--env <env>', 'the environment (environments/Pulumi.<env>.yaml)')
    .option('--plan <file>', 'a saved plan (default: dist/plan/<env>/resources.json, planned if missing)')
    .option('--trace <file>', 'one trace file (default: every trace in tools/sim/traces)')
    .option('--environments <dir>', 'directory of the stack files', ENVIRONMENTS_DIR)
    .option('--json', 'print { env, traces } on stdout (progress goes to stderr)');
  parseArgs(cmd, argv);
  const opts = cmd.opts<{
    env: string;
    plan?: string;
    trace?: string;
    environments: string;
    json?: boolean;
  }>();
  const known = listEnvironments(opts.environments);
  if (!known.includes(opts.env)) throw new UsageError('--env', opts.env, `one of ${known.join(', ')}`);
  const progress = new Progress({ json: opts.json });
  const config = await progress.step(`config ${opts.env}`, () => loadConfig(opts.env, opts.environments));
  const model = modelOf(config);
  const traces = await progress.step(
    'traces',
    () => (opts.trace ? [readTrace(opts.trace)] : committedTraces()),
    (t) => t.map((x) => x.name).join(', '),
  );
  const file = opts.plan ?? path.join(PLAN_DIR, opts.env, 'resources.json');
  if (!opts.plan && !fs.existsSync(file)) {
    await progress.step(`plan ${opts.env} (no saved plan at ${file})`, () =>
      planAndWrite(opts.env, PLAN_DIR, opts.environments),
    );
  }
  const plan = await progress.step(
    `read ${file}`,
    () => readSimPlan(readPlan(file), file),
    (p) =>
      p.regions
        .map(
          (r) =>
            `${r.region}${r.active ? ' (active)' : ''}: ${r.workloads.length} autoscaled workloads, ${r.nodeGroups.length} node groups`,
        )
        .join('; '),
  );
  if (plan.env && plan.env !== opts.env)
    throw new UsageError('--plan', file, `a plan of ${opts.env} (its URNs name ${plan.env})`);
  const prices = readPriceTable();
  const results: TraceResult[] = [];
  for (const trace of traces) {
    results.push(
      await progress.step(
        `simulate ${trace.name}`,
        () => simulateTrace(plan, model, trace, { prices }),
        (r) => `${r.verdict}${r.rtoSeconds !== undefined ? `, RTO ${r.rtoSeconds} s` : ''}`,
      ),
    );
  }
  const report = { env: opts.env, budgets: model.budgets, traces: results };
  console.log(
    opts.json
      ? JSON.stringify(simulationJson(report), null, 2)
      : renderSimulation(report, DEFAULT_ASSUMPTIONS),
  );
  const failed = results.filter((r) => r.verdict === 'fail' && r.budget === 'budgeted');
  const advisory = results.filter((r) => r.verdict === 'fail' && r.budget === 'advisory');
  const mandatory = model.budgets.level === 'mandatory';
  progress.log(
    `${opts.env}: ${results.length - failed.length - advisory.length}/${results.length} traces within budget` +
      (failed.length > 0 ? ` (${mandatory ? 'mandatory: exit 1' : 'advisory'})` : '') +
      (advisory.length > 0
        ? `; advisory trace(s) over budget, not gating: ${advisory.map((r) => r.trace).join(', ')}`
        : ''),
  );
  return failed.length > 0 && mandatory ? ExitCode.Failed : ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
