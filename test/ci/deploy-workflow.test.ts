import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  checkDeployConcurrency,
  checkEnvironmentPolicies,
  checkGate,
  checkGuardBeforeUp,
  checkJobGraph,
  checkReusableCalls,
  checkStackUp,
  checkWaveTargets,
  waves,
} from './deploy-checks';
import { Finding, parseWorkflow, Workflow } from './workflow-model';

const WORKFLOWS_DIR = join(__dirname, '..', '..', '.github', 'workflows');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const files = readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.yml'));
const source = (file: string): string => readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
const workflow = (file: string): Workflow => parseWorkflow(source(file));
const resolve = (path: string): Workflow | undefined =>
  path.startsWith('./.github/workflows/') && files.includes(path.slice(20))
    ? workflow(path.slice(20))
    : undefined;
const messages = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.where}: ${f.message}`);

/** deploy.yml with one edit; fails the test if the text to replace is not there exactly once. */
function edited(file: string, from: string, to: string): Workflow {
  const src = source(file);
  expect(src.split(from).length - 1).toBe(1);
  return parseWorkflow(src.replace(from, to));
}

describe('deploy.yml: the rollout', () => {
  const wf = (): Workflow => workflow('deploy.yml');

  it('orders each environment global, standby, gate, serving, gate, after the previous environment', () => {
    expect(messages(checkJobGraph(wf(), ENVIRONMENTS))).toEqual([]);
  });

  it('has exactly the rollout jobs and the prod DR status, in the order they run', () => {
    expect(Object.keys(wf().jobs)).toEqual([
      ...ENVIRONMENTS.flatMap((env) => waves(env).map((w) => w.id)),
      'dr-status-prod',
    ]);
  });

  it("deploys the order job's stacks and gates its regions, each in the environment's GitHub environment", () => {
    expect(messages(checkWaveTargets(wf(), ENVIRONMENTS))).toEqual([]);
  });

  it('runs the environment-scoped policies on the whole environment plan before any up', () => {
    expect(messages(checkEnvironmentPolicies(wf(), ENVIRONMENTS))).toEqual([]);
  });

  it('calls the reusable workflows with their declared inputs, secrets and permissions', () => {
    expect(messages(checkReusableCalls(wf(), resolve))).toEqual([]);
  });

  it('never cancels a running deploy at workflow level', () => {
    expect(messages(checkDeployConcurrency(wf()))).toEqual([]);
  });

  it('bakes 0 s in dev, and reads the staging and prod bake periods from repository variables', () => {
    const bake = (id: string) => wf().jobs[id].with?.['bake-seconds'];
    expect(
      ['dev', 'staging', 'prod'].flatMap((e) => [bake(`gate-${e}-standby`), bake(`gate-${e}-serving`)]),
    ).toEqual([
      '0',
      '0',
      "${{ vars.STAGING_GATE_BAKE_SECONDS || '60' }}",
      "${{ vars.STAGING_GATE_BAKE_SECONDS || '60' }}",
      "${{ vars.PROD_GATE_BAKE_SECONDS || '300' }}",
      "${{ vars.PROD_GATE_BAKE_SECONDS || '300' }}",
    ]);
  });

  it('asks for the prod approval once, on the prod order job, and nowhere else', () => {
    const approvals = Object.entries(wf().jobs)
      .filter(
        ([, j]) =>
          (typeof j.environment === 'object' ? j.environment.name : j.environment) === 'prod-approval',
      )
      .map(([id]) => id);
    expect(approvals).toEqual(['order-prod']);
    expect(wf().jobs['order-prod'].steps?.some((s) => s.uses?.startsWith('aws-actions/'))).toBe(false);
  });

  it("archives the prod DR status after prod's serving gate, from the published outputs", () => {
    const job = wf().jobs['dr-status-prod'];
    expect(job.needs).toBe('gate-prod-serving');
    expect(job.environment).toEqual({ name: 'prod' });
    const runs = (job.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm run dr -- status --env prod --json > dr-status-prod.json');
    const upload = (job.steps ?? []).find((s) => s.with?.name === 'dr-status-prod');
    expect(upload?.if).toBe('${{ !cancelled() }}');
  });
});

describe('deploy-stack.yml and gate-region.yml: one stack, one gate', () => {
  it("runs pulumi up of its stack with the policy pack and that stack's policy config", () => {
    expect(messages(checkStackUp(workflow('deploy-stack.yml')))).toEqual([]);
  });

  it('runs the DR guard on the environment before pulumi up', () => {
    expect(messages(checkGuardBeforeUp(workflow('deploy-stack.yml')))).toEqual([]);
  });

  it('runs one up at a time per stack and never cancels one', () => {
    const wf = workflow('deploy-stack.yml');
    expect(messages(checkDeployConcurrency(wf))).toEqual([]);
    expect(wf.jobs.up.concurrency).toEqual({
      group: 'pulumi-up-${{ inputs.stack }}',
      'cancel-in-progress': false,
    });
  });

  it('gates on the env, region and bake period it is given, and cannot be skipped', () => {
    expect(messages(checkGate(workflow('gate-region.yml')))).toEqual([]);
  });
});

describe('the rollout checks catch broken workflows', () => {
  it('fails if the serving region deploys straight after the standby deploy, skipping its gate', () => {
    const bad = edited(
      'deploy.yml',
      'needs: [order-prod, gate-prod-standby]',
      'needs: [order-prod, deploy-prod-standby]',
    );
    expect(messages(checkJobGraph(bad, ENVIRONMENTS))).toEqual([
      'deploy-prod-serving: needs must be ["gate-prod-standby","order-prod"], received: ["order-prod","deploy-prod-standby"]',
    ]);
  });

  it('fails if prod starts right after dev', () => {
    const bad = edited('deploy.yml', '    needs: gate-staging-serving\n', '    needs: gate-dev-serving\n');
    expect(messages(checkJobGraph(bad, ENVIRONMENTS))).toEqual([
      'order-prod: needs must be ["gate-staging-serving"], received: ["gate-dev-serving"]',
    ]);
  });

  it('fails if the serving region deploys even when the standby gate failed', () => {
    const bad = edited(
      'deploy.yml',
      '    needs: [order-staging, gate-staging-standby]\n',
      '    needs: [order-staging, gate-staging-standby]\n    if: ${{ !cancelled() }}\n',
    );
    expect(messages(checkJobGraph(bad, ENVIRONMENTS))).toEqual([
      'deploy-staging-serving: a rollout job must not have if: or continue-on-error (a failed gate stops the rollout)',
    ]);
  });

  it('fails if a job deploys a stack outside the rollout order', () => {
    const bad = parseWorkflow(
      `${source('deploy.yml')}
  hotfix:
    uses: ./.github/workflows/deploy-stack.yml
    with: { env: prod, stack: prod-us-west-2, environment: prod }
`,
    );
    expect(messages(checkJobGraph(bad, ENVIRONMENTS))).toEqual([
      'hotfix: deploys a stack or gates a region outside the rollout order',
    ]);
  });

  it('fails if the standby wave deploys the serving stack', () => {
    const bad = edited(
      'deploy.yml',
      'stack: ${{ needs.order-prod.outputs.standby_stack }}',
      'stack: ${{ needs.order-prod.outputs.serving_stack }}',
    );
    expect(messages(checkWaveTargets(bad, ENVIRONMENTS))).toEqual([
      'deploy-prod-standby: with.stack must be ${{ needs.order-prod.outputs.standby_stack }}, received: ${{ needs.order-prod.outputs.serving_stack }}',
    ]);
  });

  it('fails if the serving gate checks the standby region', () => {
    const bad = edited(
      'deploy.yml',
      'region: ${{ needs.order-dev.outputs.serving }}',
      'region: ${{ needs.order-dev.outputs.standby }}',
    );
    expect(messages(checkWaveTargets(bad, ENVIRONMENTS))).toEqual([
      'gate-dev-serving: with.region must be ${{ needs.order-dev.outputs.serving }}, received: ${{ needs.order-dev.outputs.standby }}',
    ]);
  });

  it('fails if the order job does not write its outputs to $GITHUB_OUTPUT', () => {
    const bad = edited(
      'deploy.yml',
      'npm run stacks -- order --env staging --github-output "$GITHUB_OUTPUT"',
      'npm run stacks -- order --env staging',
    );
    expect(messages(checkWaveTargets(bad, ENVIRONMENTS))).toEqual([
      `order-staging: step id 'order' must run 'npm run stacks -- order --env staging --github-output "$GITHUB_OUTPUT"'`,
    ]);
  });

  it('fails if the environment policies may fail without stopping the rollout', () => {
    const bad = edited(
      'deploy.yml',
      '        id: environment-policies\n        run: npm run policy -- dist/plan/prod/',
      '        id: environment-policies\n        continue-on-error: true\n        run: npm run policy -- dist/plan/prod/',
    );
    expect(messages(checkEnvironmentPolicies(bad, ENVIRONMENTS))).toEqual([
      "order-prod: the environment policies step must have id 'environment-policies', no if: and no continue-on-error",
    ]);
  });

  it('fails if an environment policy run reads a per-stack plan', () => {
    const bad = edited(
      'deploy.yml',
      'npm run policy -- dist/plan/dev/resources.json --config dist/plan/dev/policy-config.json',
      'npm run policy -- dist/plan/dev/stacks/dev-global/resources.json --config dist/plan/dev/policy-config.json',
    );
    expect(messages(checkEnvironmentPolicies(bad, ENVIRONMENTS))).toEqual([
      "order-dev: must run 'npm run policy -- dist/plan/dev/resources.json --config dist/plan/dev/policy-config.json' (environment-policies) before any up of dev",
    ]);
  });

  it("fails if pulumi up passes the environment's policy config instead of the stack's", () => {
    const bad = edited(
      'deploy-stack.yml',
      'policyPackConfigs: dist/plan/${{ inputs.env }}/stacks/${{ inputs.stack }}/policy-config.json',
      'policyPackConfigs: dist/plan/${{ inputs.env }}/policy-config.json',
    );
    expect(messages(checkStackUp(bad))).toEqual([
      'up: pulumi up policyPackConfigs must be dist/plan/${{ inputs.env }}/stacks/${{ inputs.stack }}/policy-config.json, received: dist/plan/${{ inputs.env }}/policy-config.json',
    ]);
  });

  it('fails if the DR guard runs after pulumi up', () => {
    const src = source('deploy-stack.yml');
    const start = src.indexOf("      - name: DR guard (config's active region = the live control table's)");
    const end = src.indexOf('      - name: pulumi up with the policy pack');
    const guard = src.slice(start, end);
    const bad = parseWorkflow(`${src.slice(0, start)}${src.slice(end)}${guard}`);
    expect(messages(checkGuardBeforeUp(bad))).toEqual([
      'up: the DR guard must run before pulumi up, not after',
    ]);
  });

  it('fails if the DR guard is removed, or made optional', () => {
    const gone = edited(
      'deploy-stack.yml',
      '        run: npm run dr -- guard --env "$ENV_NAME"\n',
      '        run: echo skipped\n',
    );
    expect(messages(checkGuardBeforeUp(gone))).toEqual([
      "up: must run 'npm run dr -- guard --env ${{ inputs.env }}' before pulumi up",
    ]);
    const optional = edited(
      'deploy-stack.yml',
      '        run: npm run dr -- guard --env "$ENV_NAME"\n',
      '        continue-on-error: true\n        run: npm run dr -- guard --env "$ENV_NAME"\n',
    );
    expect(messages(checkGuardBeforeUp(optional))).toEqual([
      'up: the DR guard must not be conditional or continue on error',
    ]);
  });

  it('fails if the DR guard runs before the AWS credentials, or without the Pulumi token for its fallback', () => {
    const src = source('deploy-stack.yml');
    const start = src.indexOf('      # After a failover, the config must name the region now serving');
    const end = src.indexOf('      - name: pulumi up with the policy pack');
    const guard = src
      .slice(start, end)
      .replace('          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n', '');
    const creds = src.indexOf('      - uses: aws-actions/configure-aws-credentials@');
    const bad = parseWorkflow(`${src.slice(0, creds)}${guard}${src.slice(creds, start)}${src.slice(end)}`);
    expect(messages(checkGuardBeforeUp(bad))).toEqual([
      'up: the DR guard must run after configure-aws-credentials (it reads SSM and DynamoDB)',
      'up: the DR guard needs PULUMI_ACCESS_TOKEN for its pulumi stack output fallback',
    ]);
  });

  it("fails if the DR guard checks another environment than the up's", () => {
    const bad = edited(
      'deploy-stack.yml',
      'npm run dr -- guard --env "$ENV_NAME"',
      'npm run dr -- guard --env prod',
    );
    expect(messages(checkGuardBeforeUp(bad))).toEqual([
      "up: the DR guard must check the up's environment ${{ inputs.env }}, received: prod",
    ]);
  });

  it('fails if a deploy may cancel a running pulumi up', () => {
    const bad = edited(
      'deploy-stack.yml',
      'group: pulumi-up-${{ inputs.stack }}\n      cancel-in-progress: false',
      'group: pulumi-up-${{ inputs.stack }}\n      cancel-in-progress: true',
    );
    expect(messages(checkDeployConcurrency(bad))).toEqual([
      'up: pulumi up job must set concurrency with cancel-in-progress: false',
    ]);
  });

  it('fails if the concurrency group is per environment rather than per stack', () => {
    const bad = edited(
      'deploy-stack.yml',
      'group: pulumi-up-${{ inputs.stack }}',
      'group: pulumi-up-${{ inputs.env }}',
    );
    expect(messages(checkDeployConcurrency(bad))).toEqual([
      "up: concurrency group 'pulumi-up-${{ inputs.env }}' must name the stack '${{ inputs.stack }}'",
    ]);
  });

  it('fails if the gate may fail without stopping the rollout', () => {
    const bad = edited(
      'gate-region.yml',
      '      - name: Health gate\n',
      '      - name: Health gate\n        continue-on-error: true\n',
    );
    expect(messages(checkGate(bad))).toEqual([
      'gate: the gate must not be conditional or continue on error (exit 1 stops the rollout)',
    ]);
  });

  it('fails if the gate ignores its bake period', () => {
    const bad = edited('gate-region.yml', ' --bake "$BAKE_SECONDS"', ' --bake 0');
    expect(messages(checkGate(bad))).toEqual([
      "gate: the gate's --bake must be ${{ inputs.bake-seconds }}, received: 0",
    ]);
  });

  it('fails if a job calls a workflow that is not a reusable one of this repository', () => {
    const bad = edited(
      'deploy.yml',
      'uses: ./.github/workflows/gate-region.yml\n    permissions:\n      contents: read\n      id-token: write # GitHub OIDC -> AWS role (in the called workflow)\n    with:\n      env: staging\n      region: ${{ needs.order-staging.outputs.serving }}',
      'uses: ./.github/workflows/drift.yml\n    permissions:\n      contents: read\n      id-token: write # GitHub OIDC -> AWS role (in the called workflow)\n    with:\n      env: staging\n      region: ${{ needs.order-staging.outputs.serving }}',
    );
    expect(messages(checkReusableCalls(bad, resolve))).toEqual([
      'gate-staging-serving: ./.github/workflows/drift.yml is not a reusable workflow (on: workflow_call) of this repository',
    ]);
  });

  it('fails if a call misspells an input, leaves out a required one, or grants too little', () => {
    const bad = parseWorkflow(
      source('deploy.yml')
        .replace(
          '      bake-seconds: ${{ vars.PROD_GATE_BAKE_SECONDS',
          '      bake: ${{ vars.PROD_GATE_BAKE_SECONDS',
        )
        .replace(
          '    name: dev global\n    needs: order-dev\n    uses: ./.github/workflows/deploy-stack.yml\n    permissions:\n      contents: read\n      id-token: write # GitHub OIDC -> AWS role (in the called workflow)\n',
          '    name: dev global\n    needs: order-dev\n    uses: ./.github/workflows/deploy-stack.yml\n    permissions:\n      contents: read\n',
        ),
    );
    expect(messages(checkReusableCalls(bad, resolve))).toEqual([
      "deploy-dev-global: ./.github/workflows/deploy-stack.yml job 'up' needs id-token: write, which this job does not grant",
      "gate-prod-standby: missing required input 'bake-seconds'",
      "gate-prod-standby: input 'bake' is not declared by ./.github/workflows/gate-region.yml",
    ]);
  });
});
