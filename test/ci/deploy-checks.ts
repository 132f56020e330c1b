/**
 * Checks for the rollout (`deploy.yml` and the reusable `deploy-stack.yml` and `gate-region.yml` it
 * calls): the job graph, what each job deploys or gates, the policies, the DR guard, concurrency and
 * the reusable-workflow calls. Each returns findings; an empty list means the workflow passes.
 * The order itself is docs/ARCHITECTURE.md, "Order and waves".
 */
import { grants, effectivePermissions } from './workflow-checks';
import {
  ACTIONS,
  actionOf,
  Finding,
  Job,
  jobs,
  Mapping,
  mayIgnoreFailure,
  needsOf,
  environmentOf,
  pulumiSteps,
  ResolveWorkflow,
  Step,
  steps,
  Workflow,
  workflowCall,
} from './workflow-model';

export const DEPLOY_STACK = './.github/workflows/deploy-stack.yml';
export const GATE_REGION = './.github/workflows/gate-region.yml';

/** What `npm run stacks -- order --github-output` writes, and the order job exposes. */
export const ORDER_OUTPUTS = ['global', 'serving', 'standby', 'serving_stack', 'standby_stack'] as const;

/** One job of an environment's rollout: its id, and what it deploys (a stack) or gates (a region). */
interface Wave {
  readonly id: string;
  readonly uses?: typeof DEPLOY_STACK | typeof GATE_REGION;
  /** The order job's output that names the stack (deploys) or region (gates). */
  readonly target?: (typeof ORDER_OUTPUTS)[number];
}

/** An environment's rollout jobs, in order: order, global, standby, its gate, serving, its gate. */
export function waves(env: string): Wave[] {
  return [
    { id: `order-${env}` },
    { id: `deploy-${env}-global`, uses: DEPLOY_STACK, target: 'global' },
    { id: `deploy-${env}-standby`, uses: DEPLOY_STACK, target: 'standby_stack' },
    { id: `gate-${env}-standby`, uses: GATE_REGION, target: 'standby' },
    { id: `deploy-${env}-serving`, uses: DEPLOY_STACK, target: 'serving_stack' },
    { id: `gate-${env}-serving`, uses: GATE_REGION, target: 'serving' },
  ];
}

const sorted = (xs: readonly string[]) => JSON.stringify([...xs].sort());

/**
 * The job graph orders, per environment, global, standby, gate, serving, gate: each job needs exactly
 * the one before it (and the order job, for its outputs); an environment's order job needs the
 * previous environment's serving gate. No rollout job may run past a failure (`if:`,
 * `continue-on-error`), and no other job deploys a stack or gates a region.
 */
export function checkJobGraph(wf: Workflow, environments: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const inOrder = new Set<string>();
  environments.forEach((env, e) => {
    const chain = waves(env);
    chain.forEach((wave, i) => {
      inOrder.add(wave.id);
      const job = wf.jobs[wave.id];
      if (job === undefined) {
        findings.push({ where: wave.id, message: `missing job '${wave.id}'` });
        return;
      }
      const expected =
        i === 0
          ? e === 0
            ? []
            : [`gate-${environments[e - 1]}-serving`]
          : [...new Set([chain[0].id, chain[i - 1].id])];
      if (sorted(needsOf(job)) !== sorted(expected)) {
        findings.push({
          where: wave.id,
          message: `needs must be ${sorted(expected)}, received: ${JSON.stringify(needsOf(job))}`,
        });
      }
      if (mayIgnoreFailure(job)) {
        findings.push({
          where: wave.id,
          message: 'a rollout job must not have if: or continue-on-error (a failed gate stops the rollout)',
        });
      }
    });
  });
  for (const [id, job] of jobs(wf)) {
    const deploys =
      job.uses === DEPLOY_STACK || job.uses === GATE_REGION || pulumiSteps(job, 'up').length > 0;
    if (deploys && !inOrder.has(id)) {
      findings.push({ where: id, message: 'deploys a stack or gates a region outside the rollout order' });
    }
  }
  return findings;
}

/**
 * What each rollout job targets: the order job runs `npm run stacks -- order` (step id `order`) and
 * exposes its outputs; each deploy calls deploy-stack.yml on the order's stack for its wave, and each
 * gate calls gate-region.yml on the order's region, in the environment's GitHub environment.
 */
export function checkWaveTargets(wf: Workflow, environments: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const env of environments) {
    const [order, ...rest] = waves(env);
    const orderJob = wf.jobs[order.id];
    if (orderJob !== undefined) {
      const run = `npm run stacks -- order --env ${env} --github-output "$GITHUB_OUTPUT"`;
      const step = steps(orderJob).find((s) => s.id === 'order');
      if (step?.run?.trim() !== run) {
        findings.push({ where: order.id, message: `step id 'order' must run '${run}'` });
      }
      for (const key of ORDER_OUTPUTS) {
        const want = `\${{ steps.order.outputs.${key} }}`;
        if (orderJob.outputs?.[key] !== want) {
          findings.push({ where: order.id, message: `outputs.${key} must be ${want}` });
        }
      }
    }
    for (const wave of rest) {
      const job = wf.jobs[wave.id];
      if (job === undefined) continue;
      if (job.uses !== wave.uses) {
        findings.push({ where: wave.id, message: `must call ${wave.uses}, received: ${job.uses}` });
        continue;
      }
      const key = wave.uses === DEPLOY_STACK ? 'stack' : 'region';
      const want: Mapping = {
        env,
        [key]: `\${{ needs.${order.id}.outputs.${wave.target} }}`,
        environment: env,
      };
      for (const [k, v] of Object.entries(want)) {
        if (job.with?.[k] !== v) {
          findings.push({
            where: wave.id,
            message: `with.${k} must be ${String(v)}, received: ${String(job.with?.[k])}`,
          });
        }
      }
    }
  }
  return findings;
}

/**
 * The environment-scoped policies (the rules that need both regions) run on the whole environment's
 * plan in the order job, after its offline plan and unconditionally, so they pass before any up.
 */
export function checkEnvironmentPolicies(wf: Workflow, environments: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const env of environments) {
    const id = `order-${env}`;
    const all = steps(wf.jobs[id] ?? {});
    const run = `npm run policy -- dist/plan/${env}/resources.json --config dist/plan/${env}/policy-config.json`;
    const policy = all.findIndex((s) => s.run?.trim() === run);
    const plan = all.findIndex((s) => s.run?.trim() === `npm run plan -- --env ${env}`);
    if (policy < 0) {
      findings.push({
        where: id,
        message: `must run '${run}' (environment-policies) before any up of ${env}`,
      });
      continue;
    }
    if (plan < 0 || plan > policy) {
      findings.push({
        where: id,
        message: `must run 'npm run plan -- --env ${env}' before the environment policies`,
      });
    }
    if (all[policy].id !== 'environment-policies' || mayIgnoreFailure(all[policy])) {
      findings.push({
        where: id,
        message:
          "the environment policies step must have id 'environment-policies', no if: and no continue-on-error",
      });
    }
  }
  return findings;
}

/** `--flag value` of a run line, with `"$VAR"` resolved from the step's env. */
function argOf(step: Step, flag: string): string | undefined {
  const m = new RegExp(`${flag} ("?\\$([A-Z_]+)"?|\\S+)`).exec(step.run ?? '');
  if (!m) return undefined;
  return m[2] !== undefined ? String(step.env?.[m[2]] ?? `$${m[2]}`) : m[1];
}

/**
 * Every `pulumi up`: targets the reusable workflow's `stack` input in its `environment`, after the
 * offline plan of its `env`, with the policy pack and that stack's policy config.
 */
export function checkStackUp(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  const call = workflowCall(wf);
  for (const input of ['env', 'stack', 'environment']) {
    if (call?.inputs[input]?.required !== true || call.inputs[input].type !== 'string') {
      findings.push({
        where: 'workflow',
        message: `on.workflow_call.inputs.${input} must be a required string`,
      });
    }
  }
  const ups = jobs(wf).flatMap(([id, job]) => pulumiSteps(job, 'up').map((up) => ({ id, job, up })));
  if (ups.length !== 1) {
    findings.push({
      where: 'workflow',
      message: `must run pulumi/actions command: up once, found ${ups.length}`,
    });
  }
  for (const { id, job, up } of ups) {
    const want: Mapping = {
      'stack-name': '${{ inputs.stack }}',
      policyPacks: 'policies',
      policyPackConfigs: 'dist/plan/${{ inputs.env }}/stacks/${{ inputs.stack }}/policy-config.json',
    };
    for (const [k, v] of Object.entries(want)) {
      if (up.with?.[k] !== v) {
        findings.push({
          where: id,
          message: `pulumi up ${k} must be ${String(v)}, received: ${String(up.with?.[k])}`,
        });
      }
    }
    if (environmentOf(job) !== '${{ inputs.environment }}') {
      findings.push({
        where: id,
        message: `environment must be \${{ inputs.environment }}, received: ${environmentOf(job)}`,
      });
    }
    const all = steps(job);
    const plan = all.findIndex(
      (s) => /^npm run plan -- --env /.test(s.run ?? '') && argOf(s, '--env') === '${{ inputs.env }}',
    );
    if (plan < 0 || plan > all.indexOf(up)) {
      findings.push({
        where: id,
        message: 'must run the offline plan of ${{ inputs.env }} before pulumi up',
      });
    }
  }
  return findings;
}

/**
 * In every job that runs `pulumi up`, the DR guard (`npm run dr -- guard --env <env>`, the up's
 * environment) runs after the AWS credentials and before the up, unconditionally, with the Pulumi
 * token for its `pulumi stack output` fallback.
 */
export function checkGuardBeforeUp(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const [id, job] of jobs(wf)) {
    const all = steps(job);
    const up = all.findIndex((s) => actionOf(s) === ACTIONS.pulumi && s.with?.command === 'up');
    if (up < 0) continue;
    const env = /^dist\/plan\/([^/]+)\//.exec(String(all[up].with?.policyPackConfigs))?.[1];
    const guard = all.findIndex((s) => /^npm run dr -- guard\b/.test(s.run?.trim() ?? ''));
    if (guard < 0) {
      findings.push({ where: id, message: `must run 'npm run dr -- guard --env ${env}' before pulumi up` });
      continue;
    }
    const step = all[guard];
    if (argOf(step, '--env') !== env) {
      findings.push({
        where: id,
        message: `the DR guard must check the up's environment ${env}, received: ${argOf(step, '--env')}`,
      });
    }
    if (guard > up)
      findings.push({ where: id, message: 'the DR guard must run before pulumi up, not after' });
    const creds = all.findIndex((s) => actionOf(s) === ACTIONS.awsCredentials);
    if (creds < 0 || creds > guard) {
      findings.push({
        where: id,
        message: 'the DR guard must run after configure-aws-credentials (it reads SSM and DynamoDB)',
      });
    }
    if (mayIgnoreFailure(step)) {
      findings.push({ where: id, message: 'the DR guard must not be conditional or continue on error' });
    }
    if (step.env?.PULUMI_ACCESS_TOKEN !== '${{ secrets.PULUMI_ACCESS_TOKEN }}') {
      findings.push({
        where: id,
        message: 'the DR guard needs PULUMI_ACCESS_TOKEN for its pulumi stack output fallback',
      });
    }
  }
  return findings;
}

/** The gate runs `npm run dr -- gate` on the workflow's env, region and bake inputs, and cannot be skipped. */
export function checkGate(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  const gates = jobs(wf).flatMap(([id, job]) =>
    steps(job)
      .filter((s) => /^npm run dr -- gate\b/.test(s.run?.trim() ?? ''))
      .map((s) => ({ id, job, s })),
  );
  if (gates.length !== 1)
    return [{ where: 'workflow', message: `must run 'npm run dr -- gate' once, found ${gates.length}` }];
  const { id, job, s } = gates[0];
  const want = {
    '--env': '${{ inputs.env }}',
    '--region': '${{ inputs.region }}',
    '--bake': '${{ inputs.bake-seconds }}',
  };
  for (const [flag, v] of Object.entries(want)) {
    if (argOf(s, flag) !== v) {
      findings.push({ where: id, message: `the gate's ${flag} must be ${v}, received: ${argOf(s, flag)}` });
    }
  }
  if (mayIgnoreFailure(s) || mayIgnoreFailure(job)) {
    findings.push({
      where: id,
      message: 'the gate must not be conditional or continue on error (exit 1 stops the rollout)',
    });
  }
  return findings;
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
 * Calls of local reusable workflows (actionlint does not follow them): the file exists, every required
 * input is given and no undeclared one, every secret passed is declared, and the caller grants every
 * permission the called jobs ask for (GitHub refuses the run otherwise).
 */
export function checkReusableCalls(wf: Workflow, resolve: ResolveWorkflow): Finding[] {
  const findings: Finding[] = [];
  for (const [id, job] of jobs(wf)) {
    if (!job.uses?.startsWith('./')) continue;
    const called = resolve(job.uses);
    const call = called && workflowCall(called);
    if (!called || !call) {
      findings.push({
        where: id,
        message: `${job.uses} is not a reusable workflow (on: workflow_call) of this repository`,
      });
      continue;
    }
    const given = Object.keys(job.with ?? {});
    for (const [name, p] of Object.entries(call.inputs)) {
      if (p.required && !given.includes(name))
        findings.push({ where: id, message: `missing required input '${name}'` });
    }
    for (const name of given.filter((n) => !(n in call.inputs))) {
      findings.push({ where: id, message: `input '${name}' is not declared by ${job.uses}` });
    }
    const secrets = typeof job.secrets === 'object' ? Object.keys(job.secrets) : [];
    for (const name of secrets.filter((n) => !(n in call.secrets))) {
      findings.push({ where: id, message: `secret '${name}' is not declared by ${job.uses}` });
    }
    const mine = effectivePermissions(wf, job);
    for (const [calledId, calledJob] of Object.entries(called.jobs)) {
      for (const [scope, level] of Object.entries(effectivePermissions(called, calledJob as Job))) {
        if ((level === 'write' || level === 'read') && !grants(mine, scope, level)) {
          findings.push({
            where: id,
            message: `${job.uses} job '${calledId}' needs ${scope}: ${level}, which this job does not grant`,
          });
        }
      }
    }
  }
  return findings;
}
