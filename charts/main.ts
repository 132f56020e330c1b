/**
 * The cdk8s app entry (`npx cdk8s synth` / `npm run synth`, see cdk8s.yaml): synthesizes the workload
 * charts of both regions of one environment to `dist/cdk8s`, with the sizes the capacity model derives
 * from that environment's stack config. ARNs use a placeholder account; the Pulumi program passes the
 * real ones and does not use this file.
 *
 * The environment comes from `RISK_ENV` (default `dev`); an unknown one exits 2.
 */
import { App } from 'cdk8s';
import { listEnvironments } from '../stacks/config/stack-file';
import { UsageError } from '../tools/lib/exit-codes';
import { runMain } from '../tools/lib/main';
import { environmentWorkloadsProps, loadEnvironment } from './example-props';
import { WorkloadsChart } from './workloads-chart';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const environment = env.RISK_ENV ?? 'dev';
  const known = listEnvironments();
  if (!known.includes(environment)) {
    throw new UsageError(
      'RISK_ENV',
      environment,
      `one of ${known.join(', ')} (environments/Pulumi.<env>.yaml)`,
    );
  }
  const config = loadEnvironment(environment);
  const app = new App({ outdir: env.CDK8S_OUTDIR ?? 'dist/cdk8s' });
  for (const site of config.sites) {
    new WorkloadsChart(app, `${environment}-${site.region}`, environmentWorkloadsProps(config, site));
  }
  app.synth();
  console.log(`synthesized ${config.sites.length} charts for ${environment} to ${app.outdir}`);
  return 0;
}

if (require.main === module) runMain(main);
