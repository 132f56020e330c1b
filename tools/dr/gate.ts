import { RunbookOutputs } from '../../stacks/outputs';
import { Clients } from './clients';
import { RegionStatus, StatusResult } from './status';

/**
 * The deploy gate (issue 10): after a region's stack is deployed, is that region healthy enough for the
 * rollout to go on to the next region? Read-only; judged from `dr status`'s reads of that region plus
 * a synthetic scoring request. Every check is evaluated (none short-circuits), so one run names every
 * failing check; any failure exits 1 and stops the rollout.
 */

/** One check of the gate. */
export interface GateCheck {
  readonly check: 'routing-control' | 'workloads-ready' | 'synthetic-score' | 'replication-heartbeat';
  readonly ok: boolean;
  readonly detail: string;
}

export interface GateResult {
  readonly kind: 'gate';
  readonly environment: string;
  readonly region: string;
  /** Whether the region should be serving (it is the active region): its routing control must then be On. */
  readonly serving: boolean;
  readonly checks: readonly GateCheck[];
  /** How many rounds of checks ran (1, or more over a `--bake` period). */
  readonly rounds: number;
  readonly verdict: 'pass' | 'fail';
}

/** What the gate judges a region by (the heartbeat's RPO from the outputs). */
export interface GateInputs {
  readonly outputs: RunbookOutputs;
  readonly status: StatusResult;
  readonly region: string;
  /** The region that should be serving: the config's `dr.activeRegion`. */
  readonly activeRegion: string;
  /** The synthetic request's result, or why it failed (undefined: no endpoint published). */
  readonly synthetic?: { readonly ok: boolean; readonly detail: string };
}

/** Evaluates the four checks for one region from one round of reads. Pure. */
export function judgeGate(i: GateInputs): GateCheck[] {
  const r = i.status.regions.find((x) => x.region === i.region);
  if (!r) {
    return (['routing-control', 'workloads-ready', 'synthetic-score', 'replication-heartbeat'] as const).map(
      (check) => ({ check, ok: false, detail: `region ${i.region} is not in the runbook outputs` }),
    );
  }
  const serving = i.region === i.activeRegion;
  return [routingCheck(r, serving), workloadsCheck(r), syntheticCheck(i), heartbeatCheck(r, i.outputs)];
}

function routingCheck(r: RegionStatus, serving: boolean): GateCheck {
  const want = serving ? 'On' : 'Off';
  if (!r.routingControl.ok) {
    return { check: 'routing-control', ok: false, detail: `unreadable: ${r.routingControl.error}` };
  }
  const got = r.routingControl.value;
  return {
    check: 'routing-control',
    ok: got === want,
    detail:
      got === want
        ? `${got} (${serving ? 'serving' : 'standby'})`
        : `${got}, expected ${want}: the region is ${serving ? 'the active one and must serve' : 'the standby and must not serve'}`,
  };
}

function workloadsCheck(r: RegionStatus): GateCheck {
  if (!r.workloads.ok)
    return { check: 'workloads-ready', ok: false, detail: `unreadable: ${r.workloads.error}` };
  const behind = r.workloads.value.filter((w) => w.ready < Math.max(w.min, w.desired));
  const total = r.workloads.value.length;
  return behind.length === 0
    ? { check: 'workloads-ready', ok: true, detail: `${total}/${total} Deployments ready at their minimums` }
    : {
        check: 'workloads-ready',
        ok: false,
        detail: behind
          .map((w) => `${w.deployment} ${w.ready}/${Math.max(w.min, w.desired)} ready`)
          .join(', '),
      };
}

function syntheticCheck(i: GateInputs): GateCheck {
  if (!i.synthetic) {
    return { check: 'synthetic-score', ok: false, detail: 'no synthetic endpoint published for the region' };
  }
  return { check: 'synthetic-score', ...i.synthetic };
}

/**
 * The region's own heartbeat (written there by the `replication-heartbeat` Deployment and read in its
 * own replica) is fresh: at most the RPO old. A stale or absent one means the writer, the table or the
 * region's credentials are broken, and a failover into this region would have no freshness evidence.
 */
function heartbeatCheck(r: RegionStatus, outputs: RunbookOutputs): GateCheck {
  if (!r.heartbeats.ok) {
    return { check: 'replication-heartbeat', ok: false, detail: `unreadable: ${r.heartbeats.error}` };
  }
  const own = r.heartbeats.value.find((h) => h.of === r.region);
  const limitMs = outputs.rpoSeconds * 1000;
  if (!own || own.ageMs === null) {
    return {
      check: 'replication-heartbeat',
      ok: false,
      detail: `no heartbeat#${r.region} in ${r.region}'s replica`,
    };
  }
  return {
    check: 'replication-heartbeat',
    ok: own.ageMs <= limitMs,
    detail: `heartbeat#${r.region} ${(own.ageMs / 1000).toFixed(1)} s old (RPO ${outputs.rpoSeconds} s)`,
  };
}

/** One synthetic scoring request to the region's endpoint (the same request `verify` sends). */
export async function probeSynthetic(
  clients: Clients,
  outputs: RunbookOutputs,
  region: string,
  id: string,
): Promise<GateInputs['synthetic']> {
  const endpoint = outputs.regions[region]?.syntheticEndpoint;
  if (!endpoint) return undefined;
  try {
    const res = await clients.http(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ synthetic: true, transactionId: `dr-gate-${id}`, amount: 1, currency: 'USD' }),
    });
    const ok = res.status >= 200 && res.status < 300;
    return { ok, detail: `${endpoint} HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `${endpoint}: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** The gate's terminal lines: one per check, then the verdict. */
export function renderGate(g: GateResult): string {
  const lines = g.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  const failed = g.checks.filter((c) => !c.ok).map((c) => c.check);
  return [
    `gate ${g.environment} ${g.region} (${g.serving ? 'serving' : 'standby'}), ${g.rounds} round(s):`,
    ...lines,
    g.verdict === 'pass'
      ? 'PASS: the rollout may go on'
      : `FAIL (${failed.join(', ')}): the rollout stops here`,
  ].join('\n');
}

/** What a gate run needs: reads of the environment, a clock and a sleep (injectable for tests). */
export interface GateRunDeps {
  readonly outputs: RunbookOutputs;
  readonly clients: Clients;
  readonly readStatus: () => Promise<StatusResult>;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/**
 * Runs the gate for `region`: one round, or rounds every `intervalMs` until `bakeMs` has passed (the
 * bake period: a change that breaks the region only after a while still stops the rollout). Stops at
 * the first failing round.
 */
export async function runGate(
  deps: GateRunDeps,
  opts: { region: string; activeRegion: string; bakeMs: number; intervalMs: number; id: string },
): Promise<GateResult> {
  const start = deps.now().getTime();
  let rounds = 0;
  let checks: GateCheck[];
  for (;;) {
    rounds += 1;
    const [status, synthetic] = await Promise.all([
      deps.readStatus(),
      probeSynthetic(deps.clients, deps.outputs, opts.region, `${opts.id}-${rounds}`),
    ]);
    checks = judgeGate({
      outputs: deps.outputs,
      status,
      region: opts.region,
      activeRegion: opts.activeRegion,
      synthetic,
    });
    const failed = checks.filter((c) => !c.ok);
    const elapsed = deps.now().getTime() - start;
    deps.log(
      `[gate] round ${rounds} at ${(elapsed / 1000).toFixed(1)} s: ${failed.length === 0 ? 'all 4 checks ok' : `FAIL ${failed.map((c) => c.check).join(', ')}`}`,
    );
    if (failed.length > 0 || elapsed + opts.intervalMs > opts.bakeMs) break;
    await deps.sleep(opts.intervalMs);
  }
  return {
    kind: 'gate',
    environment: deps.outputs.environment,
    region: opts.region,
    serving: opts.region === opts.activeRegion,
    checks,
    rounds,
    verdict: checks.every((c) => c.ok) ? 'pass' : 'fail',
  };
}
