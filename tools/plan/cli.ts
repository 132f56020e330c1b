import { Command } from 'commander';
import { ENVIRONMENTS_DIR, listEnvironments } from '../../stacks/config/stack-file';
import { parseArgs } from '../lib/args';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, Progress, textTable } from '../lib/progress';
import { PLAN_DIR, planAndWrite, PlanResult } from './run';

/**
 * `npm run plan [-- --env <name>] [--json]`: runs the Pulumi program of every environment (or one)
 * in-process under Pulumi's mock engine, policy-checks it, and writes `dist/plan/<env>/`.
 * Exit 0 when every environment plans clean, 1 on a mandatory violation, 2 on invalid config or usage.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('plan')
    .description('Offline plan of the estate under Pulumi mocks (no CLI, no cloud).')
    .option('--env <name>', 'plan only this environment')
    .option('--out <dir>', 'output directory', PLAN_DIR)
    .option('--environments <dir>', 'directory of the Pulumi.<env>.yaml stack files', ENVIRONMENTS_DIR)
    .option('--json', 'print the summary as JSON on stdout (progress goes to stderr)');
  parseArgs(cmd, argv);
  const opts = cmd.opts<{ env?: string; out: string; environments: string; json?: boolean }>();
  const known = listEnvironments(opts.environments);
  if (opts.env !== undefined && !known.includes(opts.env)) {
    throw new UsageError('--env', opts.env, `one of ${known.join(', ')} (environments/Pulumi.<env>.yaml)`);
  }
  const envs = opts.env ? [opts.env] : known;
  const progress = new Progress({ json: opts.json });
  const results: { env: string; ms: number; result: PlanResult }[] = [];
  for (const env of envs) {
    const t0 = performance.now();
    const result = await progress.step(
      `plan ${env}`,
      () => planAndWrite(env, opts.out, opts.environments),
      (r) => {
        const mandatory = r.violations.filter((v) => v.enforcementLevel === 'mandatory').length;
        return `${r.plan.resources.length} resources, ${mandatory} mandatory / ${r.violations.length - mandatory} advisory violations, ${r.manifestProblems.length} manifest problems -> ${opts.out}/${env}`;
      },
    );
    results.push({ env, ms: performance.now() - t0, result });
  }

  const rows = results.map(({ env, ms, result }) => {
    const mandatory = result.violations.filter((v) => v.enforcementLevel === 'mandatory');
    const regions = new Set(result.plan.resources.map((r) => r.region).filter(Boolean));
    return {
      env,
      resources: result.plan.resources.length,
      regions: [...regions].sort(),
      mandatory: mandatory.length,
      manifestProblems: result.manifestProblems.length,
      advisory: result.violations.length - mandatory.length,
      ms: Math.round(ms),
      verdict: mandatory.length > 0 || result.manifestProblems.length > 0 ? 'FAIL' : 'PASS',
    };
  });
  const failed = rows.some((r) => r.verdict === 'FAIL');
  if (opts.json) {
    // The same findings the text output lists, per environment, for machines.
    const environments = rows.map((row, i) => ({
      ...row,
      violations: results[i].result.violations,
      manifestProblemList: results[i].result.manifestProblems,
      outDir: `${opts.out}/${row.env}`,
    }));
    console.log(
      JSON.stringify({ ok: !failed, totalMs: Math.round(progress.elapsed()), environments }, null, 2),
    );
  } else {
    console.log('');
    console.log(
      textTable(
        ['env', 'resources', 'regions', 'mandatory', 'advisory', 'time', 'verdict'],
        rows.map((r) => [
          r.env,
          String(r.resources),
          r.regions.join(' '),
          String(r.mandatory),
          String(r.advisory),
          formatMs(r.ms),
          r.verdict,
        ]),
      ),
    );
    for (const { result } of results) {
      for (const v of result.violations.filter((x) => x.enforcementLevel === 'mandatory')) {
        console.log(`  ${result.plan.env}: [${v.policy}] ${v.message}`);
      }
      for (const p of result.manifestProblems) {
        console.log(`  ${result.plan.env}: [manifest] ${p.object} ${p.field || '(object)'}: ${p.message}`);
      }
    }
    console.log(
      `\n${rows.length} environment(s), ${rows.reduce((a, r) => a + r.resources, 0)} resources in ${formatMs(progress.elapsed())}: ${failed ? 'FAIL' : 'PASS'}`,
    );
  }
  return failed ? ExitCode.Failed : ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
