/**
 * The shape of a GitHub Actions workflow as the checks read it, its parser, and the small helpers the
 * checks share (test/ci/workflow-checks.ts, test/ci/deploy-checks.ts).
 */
import { parse } from 'yaml';

/** One problem found in a workflow. */
export interface Finding {
  /** Where: `<job>` or `<job>/<step>`, or `workflow` for top-level keys. */
  readonly where: string;
  readonly message: string;
}

export type Mapping = Readonly<Record<string, unknown>>;

/** A step as written in the workflow. */
export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Mapping;
  readonly env?: Mapping;
  readonly if?: string;
  readonly 'continue-on-error'?: unknown;
  readonly 'working-directory'?: string;
}

/** A job as written in the workflow (a job with `uses:` calls a reusable workflow). */
export interface Job {
  readonly name?: string;
  readonly 'runs-on'?: unknown;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly environment?: string | { readonly name?: string };
  readonly permissions?: Mapping | string;
  readonly concurrency?: string | { readonly group?: string; readonly 'cancel-in-progress'?: unknown };
  readonly strategy?: { readonly matrix?: Mapping };
  readonly 'timeout-minutes'?: unknown;
  readonly 'continue-on-error'?: unknown;
  readonly outputs?: Mapping;
  readonly uses?: string;
  readonly with?: Mapping;
  readonly secrets?: Mapping | string;
  readonly steps?: readonly Step[];
}

/** One input or secret a reusable workflow declares. */
export interface CallParameter {
  readonly type?: string;
  readonly required?: boolean;
}

/** A workflow as written. */
export interface Workflow {
  readonly name?: string;
  readonly on?: unknown;
  readonly permissions?: Mapping | string;
  readonly concurrency?: string | { readonly group?: string; readonly 'cancel-in-progress'?: unknown };
  readonly jobs: Readonly<Record<string, Job>>;
}

/** Finds a local reusable workflow by its `uses:` path (`./.github/workflows/x.yml`). */
export type ResolveWorkflow = (path: string) => Workflow | undefined;

/** Parses a workflow file; fails if it has no `jobs` mapping. */
export function parseWorkflow(source: string): Workflow {
  const doc: unknown = parse(source);
  if (typeof doc !== 'object' || doc === null || typeof (doc as Mapping).jobs !== 'object') {
    throw new Error(`workflow must be a mapping with a 'jobs' mapping, received: ${JSON.stringify(doc)}`);
  }
  return doc as Workflow;
}

export const ACTIONS = {
  awsCredentials: 'aws-actions/configure-aws-credentials',
  pulumi: 'pulumi/actions',
  stickyComment: 'marocchino/sticky-pull-request-comment',
  githubScript: 'actions/github-script',
  setupNode: 'actions/setup-node',
} as const;

export function jobs(wf: Workflow): [string, Job][] {
  return Object.entries(wf.jobs);
}

export function steps(job: Job): readonly Step[] {
  return job.steps ?? [];
}

export function stepLabel(jobId: string, step: Step, index: number): string {
  return `${jobId}/${step.name ?? step.id ?? step.uses ?? `step ${index + 1}`}`;
}

/** The action a step uses, without its ref: `owner/repo[/path]`. */
export function actionOf(step: Step): string | undefined {
  return step.uses?.split('@')[0];
}

export function usesAction(job: Job, action: string): Step[] {
  return steps(job).filter((s) => actionOf(s) === action);
}

export function pulumiSteps(job: Job, command: string): Step[] {
  return usesAction(job, ACTIONS.pulumi).filter((s) => s.with?.command === command);
}

export function needsOf(job: Job): readonly string[] {
  if (job.needs === undefined) return [];
  return typeof job.needs === 'string' ? [job.needs] : job.needs;
}

export function environmentOf(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

/** The `on.workflow_call` block of a reusable workflow, or undefined when it is not one. */
export function workflowCall(
  wf: Workflow,
): { inputs: Record<string, CallParameter>; secrets: Record<string, CallParameter> } | undefined {
  const on = wf.on;
  if (on === null || typeof on !== 'object' || !('workflow_call' in on)) return undefined;
  const call = ((on as Mapping).workflow_call ?? {}) as {
    inputs?: Record<string, CallParameter>;
    secrets?: Record<string, CallParameter>;
  };
  return { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} };
}

/** The jobs a job runs: its own steps, or every job of the reusable workflow it calls. */
export function calledJobs(job: Job, resolve?: ResolveWorkflow): Job[] {
  if (job.uses === undefined) return [job];
  const called = resolve?.(job.uses);
  return called ? Object.values(called.jobs) : [];
}

/** Whether a step or job has a condition that can let it run (or count as passed) after a failure. */
export function mayIgnoreFailure(x: {
  readonly if?: string;
  readonly 'continue-on-error'?: unknown;
}): boolean {
  return x.if !== undefined || (x['continue-on-error'] !== undefined && x['continue-on-error'] !== false);
}
