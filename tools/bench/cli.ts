import { Command } from 'commander';
import { listEnvironments } from '../../stacks/config/stack-file';
import { parseArgs } from '../lib/args';
import { UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, textTable } from '../lib/progress';
import { JEST_RESULTS, readJestResults, slowestSuites, SuiteTime } from './slowest';

/**
 * Speed and size targets. A ratio below 1.0 means within target; the bench prints ratios so trends
 * are visible without timed tests (which would be flaky on shared CI machines).
 */
export const TARGETS = {
  /** Planning one environment under mocks. */
  planMsPerEnv: 5000,
  /** Evaluating the whole pack against one environment's plan. */
  policyMsPerEnv: 2000,
  /** Resources per environment before the plan is considered too big to review on a PR. */
  resourcesPerEnv: 1500,
} as const;

interface Row {
  env: string;
  resources: number;
  kubernetesObjects: number;
  planMs: number;
  policyMs: number;
}

/** Plans and policy-checks every environment `runs` times, keeping each one's best run. */
async function measure(runs: number): Promise<Row[]> {
  // Loaded only when planning: Pulumi and the policy pack take seconds to load.
  const { planEnvironment } = await import('../plan/harness');
  const { evaluatePolicies } = await import('../policy/evaluate');
  const { policyConfigFor } = await import('../../policies/config');
  const rows: Row[] = [];
  for (const env of listEnvironments()) {
    let best: Row | undefined;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const plan = await planEnvironment(env);
      const t1 = performance.now();
      await evaluatePolicies(plan.resources, policyConfigFor(plan.config));
      const t2 = performance.now();
      const row = {
        env,
        resources: plan.resources.length,
        kubernetesObjects: plan.resources.filter(
          (r) => r.type.startsWith('kubernetes:') && !r.type.includes('helm'),
        ).length,
        planMs: t1 - t0,
        policyMs: t2 - t1,
      };
      if (!best || row.planMs + row.policyMs < best.planMs + best.policyMs) best = row;
    }
    if (best) rows.push(best);
  }
  return rows;
}

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('bench')
    .description('Measure plan, policy and size against the targets; prints ratios (<1.0 is within target).')
    .option('--runs <n>', 'runs per environment (the best is kept)', '3')
    .option('--json', 'print the result as JSON')
    .option(
      '--jest-results <file>',
      `jest --json results to list the slowest suites of (default: ${JEST_RESULTS} when it exists)`,
    )
    .option('--suites-only', 'only list the slowest test suites; plan nothing');
  const opts = parseArgs(cmd, argv).opts<{
    runs: string;
    json?: boolean;
    jestResults?: string;
    suitesOnly?: boolean;
  }>();
  const runs = Number(opts.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    throw new UsageError('--runs', opts.runs, 'an integer between 1 and 20');
  }
  const resultsFile = opts.jestResults ?? JEST_RESULTS;
  const jest = readJestResults(resultsFile, opts.jestResults !== undefined);
  const slowest = jest ? slowestSuites(jest, SLOWEST) : undefined;
  const rows = opts.suitesOnly ? [] : await measure(runs);
  const ratio = (v: number, t: number) => (v / t).toFixed(2);
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          targets: TARGETS,
          environments: rows,
          slowestSuites: slowest ?? null,
          jestResults: jest ? resultsFile : null,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (!opts.suitesOnly) {
    console.log(
      textTable(
        ['env', 'resources', 'k8s objects', 'plan', 'plan/target', 'policy', 'policy/target', 'size/target'],
        rows.map((r) => [
          r.env,
          String(r.resources),
          String(r.kubernetesObjects),
          formatMs(r.planMs),
          ratio(r.planMs, TARGETS.planMsPerEnv),
          formatMs(r.policyMs),
          ratio(r.policyMs, TARGETS.policyMsPerEnv),
          ratio(r.resources, TARGETS.resourcesPerEnv),
        ]),
      ),
    );
    const total = rows.reduce((a, r) => a + r.planMs + r.policyMs, 0);
    console.log(
      `\nwhole estate: ${formatMs(total)} to plan and policy-check (best of ${runs} per environment)\n`,
    );
  }
  console.log(renderSlowest(slowest, resultsFile));
  return 0;
}

/** How many of the slowest suites are listed. */
export const SLOWEST = 5;

/** The slowest suites as a table, or where to get them. */
export function renderSlowest(slowest: readonly SuiteTime[] | undefined, file: string): string {
  if (!slowest) {
    return `slowest test suites: no ${file}; write it with \`npm test -- --json --outputFile=${file}\` (.ci/run does)`;
  }
  return [
    `slowest test suites (${file}):`,
    textTable(
      ['suite', 'seconds'],
      slowest.map((s) => [s.suite, s.seconds.toFixed(2)]),
    ),
    '',
  ].join('\n');
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
