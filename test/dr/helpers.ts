import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunbookOutputs } from '../../stacks/outputs';
import { Progress } from '../../tools/lib/progress';
import { Journal, RunRecord } from '../../tools/dr/control/journal';
import { RunbookLock } from '../../tools/dr/control/lock';
import { ControlTable } from '../../tools/dr/control/table';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { Operation, resolveOperation } from '../../tools/dr/operation';
import { parseRunbookOutputs } from '../../tools/dr/outputs';
import { RunnerDeps, StepRef } from '../../tools/dr/runner';
import { StepContext } from '../../tools/dr/steps';

export const FIXTURE = join(__dirname, 'fixtures', 'outputs.staging.json');

export function fixtureOutputs(): RunbookOutputs {
  return parseRunbookOutputs(JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown, FIXTURE);
}

/** Emulators and stand-ins in memory, fast readiness. */
export function startLocal(): Promise<LocalEnvironment> {
  return LocalEnvironment.start({ outputs: fixtureOutputs(), readyDelayMs: 20 });
}

export const FAST = { pollMs: 10, readinessTimeoutMs: 5000, verifyTimeoutMs: 2000 } as const;

/** Runner dependencies against the local environment; progress lines are collected in `lines`. */
export function runnerDeps(
  env: LocalEnvironment,
  overrides: Partial<RunnerDeps> & { afterEffect?: (ref: StepRef) => void | Promise<void> } = {},
): RunnerDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    outputs: env.outputs,
    clients: env.clients(),
    progress: new Progress({ write: (l) => lines.push(l), now: () => performance.now() }),
    owner: 'test@jest',
    invocation: `inv-${Math.random().toString(16).slice(2)}`,
    lease: { leaseMs: 60_000, waitMs: 0 },
    timings: FAST,
    ...overrides,
    lines,
  };
}

export function failover(env: LocalEnvironment): Operation {
  return resolveOperation(env.outputs, 'failover');
}

/** A step context as the runner builds it, for driving single steps. */
export function stepContext(env: LocalEnvironment, op: Operation, runId = 'test-run'): StepContext {
  const control = new ControlTable(
    env.clients().dynamodb(op.to),
    env.outputs.regions[op.to].tables.control.name,
    op.to,
  );
  const run: RunRecord = {
    runId,
    operation: op.kind,
    environment: env.outputs.environment,
    from: op.from,
    to: op.to,
    startedAt: '2025-01-01T00:00:00.000Z',
    status: 'running',
    owner: 'test@jest',
  };
  const other = new ControlTable(
    env.clients().dynamodb(op.from),
    env.outputs.regions[op.from].tables.control.name,
    op.from,
  );
  const lock = new RunbookLock(
    { target: control, other },
    {
      runId,
      operation: op.kind,
      owner: 'test@jest',
      invocation: 'inv-steps',
      leaseMs: 60_000,
      waitMs: 0,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      log: () => undefined,
    },
  );
  return {
    outputs: env.outputs,
    op,
    run,
    clients: env.clients(),
    control,
    lock,
    timings: FAST,
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: () => undefined,
  };
}

export function journalIn(env: LocalEnvironment, region: string): Journal {
  return new Journal(
    new ControlTable(env.clients().dynamodb(region), env.outputs.regions[region].tables.control.name, region),
  );
}

/** Everything observable, with lease times and record versions removed (a renewal is not a change of state). */
export async function observe(env: LocalEnvironment): Promise<object> {
  const regions = Object.keys(env.outputs.regions);
  const control: Record<string, unknown[]> = {};
  for (const r of regions) {
    control[r] = (await env.controlItems(r)).map(
      ({ expiresAt: _e, acquiredAt: _a, rvn: _v, ...rest }) => rest,
    );
  }
  return {
    control,
    routing: env.arc.state.controls,
    kube: Object.fromEntries(regions.map((r) => [r, env.kube[r].state.autoscalers])),
  };
}

/** Side effects so far: Kubernetes patches, ARC updates, SNS notifications. */
export function sideEffects(env: LocalEnvironment): {
  patches: number;
  arcUpdates: number;
  notifications: number;
} {
  return {
    patches: Object.values(env.kube).reduce((n, k) => n + k.patches, 0),
    arcUpdates: env.arc.updateCalls(),
    notifications: env.notifications().length,
  };
}
