/**
 * Structural checks for the GitHub Actions workflows in `.github/workflows`.
 *
 * Every check takes a parsed workflow (plus its source where comments matter) and returns the list
 * of findings; an empty list means the workflow passes. The tests run them against the real
 * workflows and against deliberately broken ones, so each check is shown to be able to fail.
 */
import { parse } from 'yaml';

/** One problem found in a workflow. */
export interface Finding {
  /** Where: `<job>` or `<job>/<step>`, or `workflow` for top-level keys. */
  readonly where: string;
  readonly message: string;
}

type Mapping = Readonly<Record<string, unknown>>;

/** A step as written in the workflow. */
export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Mapping;
  readonly env?: Mapping;
  readonly if?: string;
  readonly 'working-directory'?: string;
}

/** A job as written in the workflow. */
export interface Job {
  readonly name?: string;
  readonly 'runs-on'?: unknown;
  readonly needs?: string | readonly string[];
  readonly environment?: string | { readonly name?: string };
  readonly permissions?: Mapping | string;
  readonly concurrency?: string | { readonly group?: string; readonly 'cancel-in-progress'?: unknown };
  readonly strategy?: { readonly matrix?: Mapping };
  readonly 'timeout-minutes'?: unknown;
  readonly uses?: string;
  readonly steps?: readonly Step[];
}

/** A workflow as written. */
export interface Workflow {
  readonly name?: string;
  readonly permissions?: Mapping | string;
  readonly concurrency?: string | { readonly group?: string; readonly 'cancel-in-progress'?: unknown };
  readonly jobs: Readonly<Record<string, Job>>;
}

/** Parses a workflow file; fails if it has no `jobs` mapping. */
export function parseWorkflow(source: string): Workflow {
  const doc: unknown = parse(source);
  if (typeof doc !== 'object' || doc === null || typeof (doc as Mapping).jobs !== 'object') {
    throw new Error(`workflow must be a mapping with a 'jobs' mapping, received: ${JSON.stringify(doc)}`);
  }
  return doc as Workflow;
}

const ACTIONS = {
  awsCredentials: 'aws-actions/configure-aws-credentials',
  pulumi: 'pulumi/actions',
  stickyComment: 'marocchino/sticky-pull-request-comment',
  githubScript: 'actions/github-script',
  setupNode: 'actions/setup-node',
} as const;

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*v\d+\.\d+\.\d+\b/;

function jobs(wf: Workflow): [string, Job][] {
  return Object.entries(wf.jobs);
}

function steps(job: Job): readonly Step[] {
  return job.steps ?? [];
}

function stepLabel(jobId: string, step: Step, index: number): string {
  return `${jobId}/${step.name ?? step.id ?? step.uses ?? `step ${index + 1}`}`;
}

/** The action a step uses, without its ref: `owner/repo[/path]`. */
export function actionOf(step: Step): string | undefined {
  return step.uses?.split('@')[0];
}

function usesAction(job: Job, action: string): Step[] {
  return steps(job).filter((s) => actionOf(s) === action);
}

function pulumiSteps(job: Job, command: string): Step[] {
  return usesAction(job, ACTIONS.pulumi).filter((s) => s.with?.command === command);
}

function needsOf(job: Job): readonly string[] {
  if (job.needs === undefined) return [];
  return typeof job.needs === 'string' ? [job.needs] : job.needs;
}

function environmentOf(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

/** The permissions a job runs with: its own block, else the workflow's. */
export function effectivePermissions(wf: Workflow, job: Job): Record<string, string> {
  const block = job.permissions ?? wf.permissions;
  if (block === undefined) return { '*': 'default' };
  if (typeof block === 'string') return { '*': block };
  return Object.fromEntries(Object.entries(block).map(([k, v]) => [k, String(v)]));
}

function grants(perms: Record<string, string>, scope: string, level: 'write' | 'read'): boolean {
  const value = perms[scope] ?? (perms['*'] === 'write-all' ? 'write' : undefined);
  if (level === 'write') return value === 'write';
  return value === 'write' || value === 'read';
}

/**
 * Every `uses:` is pinned to a full 40-hex commit SHA and carries a `# vX.Y.Z` comment.
 * Local actions (`./...`) are exempt.
 */
export function checkPinnedUses(wf: Workflow, source: string): Finding[] {
  const findings: Finding[] = [];
  const lines = source.split('\n');
  const check = (where: string, uses: string): void => {
    if (uses.startsWith('./')) return;
    if (!SHA_PIN.test(uses)) {
      findings.push({ where, message: `uses '${uses}' must be pinned to a full 40-character commit SHA` });
      return;
    }
    const line = lines.find((l) => /^\s*(-\s+)?uses:/.test(l) && l.includes(uses));
    if (line === undefined || !VERSION_COMMENT.test(line)) {
      findings.push({
        where,
        message: `uses '${uses}' must carry a '# vX.Y.Z' comment naming the pinned tag`,
      });
    }
  };
  for (const [id, job] of jobs(wf)) {
    if (job.uses !== undefined) check(id, job.uses);
    steps(job).forEach((s, i) => {
      if (s.uses !== undefined) check(stepLabel(id, s, i), s.uses);
    });
  }
  return findings;
}

/** Every job sets `timeout-minutes` (jobs calling a reusable workflow cannot, so they are exempt). */
export function checkTimeouts(wf: Workflow): Finding[] {
  return jobs(wf)
    .filter(([, job]) => job.uses === undefined && job['timeout-minutes'] === undefined)
    .map(([id]) => ({ where: id, message: 'job must set timeout-minutes' }));
}

/** Does this job post a comment on the pull request? */
export function postsPrComment(job: Job): boolean {
  return steps(job).some(
    (s) =>
      actionOf(s) === ACTIONS.stickyComment ||
      (actionOf(s) === ACTIONS.pulumi && String(s.with?.['comment-on-pr']) === 'true'),
  );
}

/** Does this job open (or update) issues? */
export function opensIssues(job: Job): boolean {
  return usesAction(job, ACTIONS.githubScript).some((s) => /\bissues\.create\(/.test(String(s.with?.script)));
}

/**
 * Least privilege: the workflow grants nothing beyond `contents: read` by default; `id-token: write`
 * only where AWS credentials are configured (and there it is required); no `contents: write`;
 * `pull-requests: write` only where a PR comment is posted; `issues: write` only where issues are opened.
 */
export function checkPermissions(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  const top = wf.permissions;
  const topOk =
    top !== undefined &&
    typeof top === 'object' &&
    Object.entries(top).every(([k, v]) => k === 'contents' && v === 'read');
  if (!topOk) {
    findings.push({
      where: 'workflow',
      message: `top-level permissions must be {} or { contents: read }, received: ${JSON.stringify(top)}`,
    });
  }
  for (const [id, job] of jobs(wf)) {
    const perms = effectivePermissions(wf, job);
    const assumesAws = usesAction(job, ACTIONS.awsCredentials).length > 0;
    if (perms['*'] !== undefined) {
      findings.push({ where: id, message: `job must list its permissions, received: ${perms['*']}` });
    }
    if (grants(perms, 'id-token', 'write') && !assumesAws) {
      findings.push({
        where: id,
        message: 'id-token: write is only for jobs that use configure-aws-credentials',
      });
    }
    if (assumesAws && !grants(perms, 'id-token', 'write')) {
      findings.push({ where: id, message: 'configure-aws-credentials (OIDC) needs id-token: write' });
    }
    if (grants(perms, 'contents', 'write')) {
      findings.push({ where: id, message: 'no job may have contents: write' });
    }
    if (grants(perms, 'pull-requests', 'write') && !postsPrComment(job)) {
      findings.push({ where: id, message: 'pull-requests: write is only for jobs that comment on the PR' });
    }
    if (grants(perms, 'issues', 'write') && !opensIssues(job)) {
      findings.push({ where: id, message: 'issues: write is only for jobs that open issues' });
    }
    if (postsPrComment(job) && !grants(perms, 'pull-requests', 'write')) {
      findings.push({ where: id, message: 'commenting on the PR needs pull-requests: write' });
    }
    if (opensIssues(job) && !grants(perms, 'issues', 'write')) {
      findings.push({ where: id, message: 'opening issues needs issues: write' });
    }
  }
  return findings;
}

/** The Node LTS lines the project supports and tests on (docs/ARCHITECTURE.md, "Runtime"). */
export const SUPPORTED_NODE_LINES = ['22', '24'] as const;

/** Every setup-node step reads the version from `.nvmrc` (or is the test matrix over the LTS lines) and caches npm. */

export function checkNodeFromNvmrc(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const [id, job] of jobs(wf)) {
    steps(job).forEach((s, i) => {
      if (actionOf(s) !== ACTIONS.setupNode) return;
      const matrixNode = job.strategy?.matrix?.node;
      const overMatrix =
        s.with?.['node-version'] === '${{ matrix.node }}' &&
        s.with?.['node-version-file'] === undefined &&
        JSON.stringify(matrixNode) === JSON.stringify(SUPPORTED_NODE_LINES);
      if (
        !overMatrix &&
        (s.with?.['node-version-file'] !== '.nvmrc' || s.with?.['node-version'] !== undefined)
      ) {
        findings.push({
          where: stepLabel(id, s, i),
          message: `setup-node must use node-version-file: .nvmrc, or node-version: \${{ matrix.node }} over the matrix ${JSON.stringify(SUPPORTED_NODE_LINES)}`,
        });
      }
      if (s.with?.cache !== 'npm') {
        findings.push({ where: stepLabel(id, s, i), message: 'setup-node must cache npm' });
      }
    });
  }
  return findings;
}

/** The PR workflow: one concurrency group per pull request that cancels superseded runs. */
export function checkPrConcurrency(wf: Workflow): Finding[] {
  const c = wf.concurrency;
  if (typeof c !== 'object' || c['cancel-in-progress'] !== true) {
    return [{ where: 'workflow', message: 'pull-request concurrency must set cancel-in-progress: true' }];
  }
  if (!String(c.group).includes('github.event.pull_request.number')) {
    return [
      { where: 'workflow', message: `concurrency group must be per pull request, received: ${c.group}` },
    ];
  }
  return [];
}

/**
 * Deploys: every job running `pulumi up` is in a concurrency group naming its stack with
 * `cancel-in-progress: false`, and nothing at workflow level cancels a running update.
 */
export function checkDeployConcurrency(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  if (typeof wf.concurrency === 'object' && wf.concurrency['cancel-in-progress'] !== false) {
    findings.push({ where: 'workflow', message: 'workflow concurrency must not cancel a running deploy' });
  }
  for (const [id, job] of jobs(wf)) {
    for (const up of pulumiSteps(job, 'up')) {
      const c = job.concurrency;
      const stack = String(up.with?.['stack-name']);
      if (typeof c !== 'object' || c['cancel-in-progress'] !== false) {
        findings.push({
          where: id,
          message: 'pulumi up job must set concurrency with cancel-in-progress: false',
        });
      } else if (!String(c.group).includes(stack)) {
        findings.push({
          where: id,
          message: `concurrency group '${c.group}' must name the stack '${stack}'`,
        });
      }
    }
  }
  return findings;
}

/**
 * The PR workflow previews every environment with the policy pack: a matrix over all environments,
 * and a pulumi/actions preview with `policyPacks: policies` and that environment's policy config.
 */
export function checkPreviewPolicy(wf: Workflow, environments: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const previewJobs = jobs(wf).filter(([, job]) => pulumiSteps(job, 'preview').length > 0);
  if (previewJobs.length === 0) {
    return [{ where: 'workflow', message: 'no job runs pulumi/actions with command: preview' }];
  }
  for (const [id, job] of previewJobs) {
    const matrixEnvs = job.strategy?.matrix?.env;
    const covered = Array.isArray(matrixEnvs) ? matrixEnvs.map(String) : [];
    const missing = environments.filter((e) => !covered.includes(e));
    if (missing.length > 0) {
      findings.push({
        where: id,
        message: `preview matrix must cover ${environments.join(', ')}; missing: ${missing}`,
      });
    }
    for (const s of pulumiSteps(job, 'preview')) {
      if (s.with?.policyPacks !== 'policies') {
        findings.push({ where: id, message: 'preview must run the policy pack: policyPacks: policies' });
      }
      if (s.with?.policyPackConfigs !== 'dist/plan/${{ matrix.env }}/policy-config.json') {
        findings.push({ where: id, message: "preview must pass the environment's policy-config.json" });
      }
      if (s.with?.['stack-name'] !== '${{ matrix.env }}') {
        findings.push({ where: id, message: 'preview stack-name must be the matrix environment' });
      }
    }
  }
  return findings;
}

/**
 * Deploys run in order: job `deploy-<env>` for each environment, each needing the one before,
 * each naming its GitHub environment and running `pulumi up` with the policy pack on its stack.
 */
export function checkDeployOrder(wf: Workflow, order: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  order.forEach((env, i) => {
    const id = `deploy-${env}`;
    const job = wf.jobs[id];
    if (job === undefined) {
      findings.push({ where: id, message: `missing job '${id}'` });
      return;
    }
    const expectedNeeds = i === 0 ? [] : [`deploy-${order[i - 1]}`];
    const needs = needsOf(job);
    if (JSON.stringify([...needs].sort()) !== JSON.stringify(expectedNeeds)) {
      findings.push({
        where: id,
        message: `needs must be ${JSON.stringify(expectedNeeds)}, received: ${JSON.stringify(needs)}`,
      });
    }
    if (environmentOf(job) !== env) {
      findings.push({
        where: id,
        message: `environment must be '${env}', received: '${environmentOf(job)}'`,
      });
    }
    const ups = pulumiSteps(job, 'up');
    if (ups.length !== 1) {
      findings.push({ where: id, message: `must run pulumi/actions command: up once, found ${ups.length}` });
    }
    for (const up of ups) {
      if (up.with?.['stack-name'] !== env) {
        findings.push({
          where: id,
          message: `pulumi up must target stack '${env}', received: ${up.with?.['stack-name']}`,
        });
      }
      if (
        up.with?.policyPacks !== 'policies' ||
        up.with?.policyPackConfigs !== `dist/plan/${env}/policy-config.json`
      ) {
        findings.push({
          where: id,
          message: `pulumi up must run the policy pack with dist/plan/${env}/policy-config.json`,
        });
      }
    }
  });
  return findings;
}

/**
 * In every deploy job, the DR guard runs before `pulumi up`: the stack outputs are read first
 * (`pulumi stack output --json --stack <env> > outputs-<env>.json`), then
 * `npm run dr -- guard --env <env> --outputs outputs-<env>.json`, both before the up step.
 */
export function checkGuardBeforeUp(wf: Workflow, order: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const env of order) {
    const id = `deploy-${env}`;
    const all = steps(wf.jobs[id] ?? {});
    const indexOf = (pred: (s: Step) => boolean) => all.findIndex(pred);
    const up = indexOf((s) => actionOf(s) === ACTIONS.pulumi && s.with?.command === 'up');
    const read = indexOf(
      (s) => s.run?.trim() === `pulumi stack output --json --stack ${env} > outputs-${env}.json`,
    );
    const guard = indexOf(
      (s) => s.run?.trim() === `npm run dr -- guard --env ${env} --outputs outputs-${env}.json`,
    );
    if (guard < 0) {
      findings.push({
        where: id,
        message: `must run 'npm run dr -- guard --env ${env} --outputs outputs-${env}.json' before pulumi up`,
      });
      continue;
    }
    if (read < 0 || read > guard) {
      findings.push({
        where: id,
        message: `must write outputs-${env}.json with 'pulumi stack output --json --stack ${env}' before the DR guard`,
      });
    }
    if (up >= 0 && guard > up) {
      findings.push({ where: id, message: 'the DR guard must run before pulumi up, not after' });
    }
    const guardStep = all[guard];
    if (guardStep.if !== undefined || (guardStep as { 'continue-on-error'?: unknown })['continue-on-error']) {
      findings.push({ where: id, message: 'the DR guard must not be conditional or continue on error' });
    }
  }
  return findings;
}

/** The runner expression of jobs that reach the clusters' private API endpoints. */
export const INFRA_RUNNER = "${{ vars.INFRA_RUNNER || 'ubuntu-latest' }}";

/**
 * Jobs that talk to the EKS API (every Pulumi command: the program deploys Kubernetes objects; the DR
 * runbook: it patches autoscalers) must run on the configurable in-VPC runner: prod's cluster endpoint
 * is private, and staging's and dev's are open only to allow-listed CIDRs.
 */
export function checkInfraRunner(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const touchesClusters = steps(job).some(
      (s) =>
        (actionOf(s) === ACTIONS.pulumi && typeof s.with?.command === 'string') ||
        /npm run dr -- (status|failover|failback|drill|guard)\b/.test(s.run ?? ''),
    );
    if (touchesClusters && job['runs-on'] !== INFRA_RUNNER) {
      findings.push({ where: id, message: `reaches the cluster APIs, so it must run on ${INFRA_RUNNER}` });
    }
  }
  return findings;
}
