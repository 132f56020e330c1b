/**
 * Structural checks for the GitHub Actions workflows in `.github/workflows`.
 *
 * Every check takes a parsed workflow (plus its source where comments matter) and returns the list
 * of findings; an empty list means the workflow passes. The tests run them against the real
 * workflows and against deliberately broken ones, so each check is shown to be able to fail.
 */
import {
  ACTIONS,
  actionOf,
  calledJobs,
  Finding,
  Job,
  jobs,
  pulumiSteps,
  ResolveWorkflow,
  stepLabel,
  steps,
  usesAction,
  Workflow,
} from './workflow-model';

export type { Finding, Job, Step, Workflow } from './workflow-model';
export { parseWorkflow } from './workflow-model';

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*v\d+\.\d+\.\d+\b/;

/** The permissions a job runs with: its own block, else the workflow's. */
export function effectivePermissions(wf: Workflow, job: Job): Record<string, string> {
  const block = job.permissions ?? wf.permissions;
  if (block === undefined) return { '*': 'default' };
  if (typeof block === 'string') return { '*': block };
  return Object.fromEntries(Object.entries(block).map(([k, v]) => [k, String(v)]));
}

export function grants(perms: Record<string, string>, scope: string, level: 'write' | 'read'): boolean {
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
export function checkPermissions(wf: Workflow, resolve?: ResolveWorkflow): Finding[] {
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
    // A job calling a reusable workflow needs what the called jobs use (GitHub caps theirs by it).
    const runs = calledJobs(job, resolve);
    const assumesAws = runs.some((j) => usesAction(j, ACTIONS.awsCredentials).length > 0);
    const comments = runs.some(postsPrComment);
    const issues = runs.some(opensIssues);
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
    if (grants(perms, 'pull-requests', 'write') && !comments) {
      findings.push({ where: id, message: 'pull-requests: write is only for jobs that comment on the PR' });
    }
    if (grants(perms, 'issues', 'write') && !issues) {
      findings.push({ where: id, message: 'issues: write is only for jobs that open issues' });
    }
    if (comments && !grants(perms, 'pull-requests', 'write')) {
      findings.push({ where: id, message: 'commenting on the PR needs pull-requests: write' });
    }
    if (issues && !grants(perms, 'issues', 'write')) {
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
 * Pulumi per stack: every job running `pulumi/actions` with `command` runs over a matrix of
 * `env` x `unit` whose stacks (`<env>-<unit>`) are exactly `stacks`, targets
 * `${{ matrix.env }}-${{ matrix.unit }}`, and runs the policy pack with that stack's policy config
 * (`dist/plan/<env>/stacks/<stack>/policy-config.json`, written by the offline plan).
 */
export function checkStackMatrix(
  wf: Workflow,
  command: 'preview' | 'up',
  stacks: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const pulumiJobs = jobs(wf).filter(([, job]) => pulumiSteps(job, command).length > 0);
  if (pulumiJobs.length === 0) {
    return [{ where: 'workflow', message: `no job runs pulumi/actions with command: ${command}` }];
  }
  const stack = '${{ matrix.env }}-${{ matrix.unit }}';
  for (const [id, job] of pulumiJobs) {
    const list = (key: string): string[] => {
      const v = job.strategy?.matrix?.[key];
      return Array.isArray(v) ? v.map(String) : [];
    };
    const covered = list('env').flatMap((e) => list('unit').map((u) => `${e}-${u}`));
    const missing = stacks.filter((s) => !covered.includes(s));
    const extra = covered.filter((s) => !stacks.includes(s));
    if (missing.length > 0 || extra.length > 0) {
      findings.push({
        where: id,
        message: `matrix env x unit must be exactly the stacks ${stacks.join(', ')}; missing: [${missing.join(', ')}], not a stack: [${extra.join(', ')}]`,
      });
    }
    for (const s of pulumiSteps(job, command)) {
      if (s.with?.['stack-name'] !== stack) {
        findings.push({ where: id, message: `${command} stack-name must be ${stack}` });
      }
      if (s.with?.policyPacks !== 'policies') {
        findings.push({ where: id, message: `${command} must run the policy pack: policyPacks: policies` });
      }
      if (s.with?.policyPackConfigs !== `dist/plan/\${{ matrix.env }}/stacks/${stack}/policy-config.json`) {
        findings.push({
          where: id,
          message: `${command} must pass the stack's policy config: dist/plan/\${{ matrix.env }}/stacks/${stack}/policy-config.json`,
        });
      }
    }
  }
  return findings;
}

/** The runner expression of jobs that reach the clusters' private API endpoints. */
export const INFRA_RUNNER = "${{ vars.INFRA_RUNNER || 'ubuntu-latest' }}";

/**
 * Jobs that talk to the EKS API (every Pulumi command: the program deploys Kubernetes objects; the DR
 * runbook: it patches autoscalers; the deploy gate: it reads the workloads' readiness) must run on the configurable in-VPC runner: prod's cluster endpoint
 * is private, and staging's and dev's are open only to allow-listed CIDRs.
 */
export function checkInfraRunner(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    const touchesClusters = steps(job).some(
      (s) =>
        (actionOf(s) === ACTIONS.pulumi && typeof s.with?.command === 'string') ||
        /npm run dr -- (status|failover|failback|drill|guard|gate)\b/.test(s.run ?? ''),
    );
    if (touchesClusters && job['runs-on'] !== INFRA_RUNNER) {
      findings.push({ where: id, message: `reaches the cluster APIs, so it must run on ${INFRA_RUNNER}` });
    }
  }
  return findings;
}
