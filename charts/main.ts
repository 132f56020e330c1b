/**
 * The cdk8s app entry (`npx cdk8s synth`, see cdk8s.yaml): synthesizes the workload charts of one
 * environment, primary and DR region, with example props, to `dist/cdk8s`.
 *
 * The environment comes from `RISK_ENV` (default `dev`). The Pulumi program does not use this file:
 * it calls `synthesizeWorkloads` with the real props.
 */
import { App } from 'cdk8s';
import { EXAMPLE_REGIONS, exampleWorkloadsProps } from './example-props';
import { WorkloadsChart } from './workloads-chart';

const environment = process.env.RISK_ENV ?? 'dev';
const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist/cdk8s' });
for (const { region, role } of EXAMPLE_REGIONS) {
  new WorkloadsChart(app, `${environment}-${region}`, exampleWorkloadsProps(environment, region, role));
}
app.synth();
console.log(`synthesized ${EXAMPLE_REGIONS.length} charts for ${environment} to ${app.outdir}`);
