import { formatMs, textTable } from '../lib/progress';
import { ActiveRegionFollowUp } from './active-region';
import { DrillResult } from './drill';
import { drillLabel } from './drill-report';
import { GuardResult } from './guard';
import { describeBacklog } from './source-evidence';
import { OperationResult, StepReport } from './runner';
import { Probed, StatusResult } from './status';
import { renderCanaryStatus } from './status-canary';

const ms = (v: number | undefined) => (v === undefined ? '-' : formatMs(v));
const val = <T>(p: Probed<T>, f: (v: T) => string) => (p.ok ? f(p.value) : `unreachable (${p.error})`);
const stepStatus = (s: StepReport) => (s.status === 'not-run' ? 'not run' : s.status);

/** Summary of one operation: a row per step, then the totals. */
export function renderOperation(r: OperationResult): string {
  const rows = r.steps.map((s) => [String(s.n), s.id, stepStatus(s), ms(s.ms), s.detail ?? '']);
  const lines = [
    '',
    `${r.operation} ${r.from} -> ${r.to} (${r.environment})${r.runId ? ` run ${r.runId}` : ''}: ${r.status.toUpperCase()}`,
    textTable(['#', 'step', 'status', 'time', 'detail'], rows),
  ];
  if (r.status !== 'planned') {
    lines.push(rtoLine(r));
    lines.push(`RPO observed (replication latency at cut-over): ${rpo(r.replicationLatencyMs)}`);
    if (r.sourceBacklog)
      lines.push(`RPO evidence (backlog at the fence): ${describeBacklog(r.sourceBacklog)}`);
  }
  if (r.forceReason) lines.push(`forced: ${r.forceReason}`);
  for (const w of r.warnings ?? []) lines.push(`WARNING: ${w}`);
  if (r.error) lines.push(`error: ${r.error}`);
  if (r.activeRegionConfig) lines.push(...followUpLines(r.activeRegionConfig));
  return lines.join('\n');
}

/** What to run next so the next `pulumi up` keeps the serving region at full capacity. */
function followUpLines(f: ActiveRegionFollowUp): string[] {
  if (f.alreadyConfigured) {
    return [
      '',
      `${f.region} serves, and ${f.stackFile} already names it as the active region: nothing to change.`,
    ];
  }
  return [
    '',
    `NEXT: ${f.region} now serves. Make the stack config say so, or the next pulumi up (CI deploys every merge)`,
    'shrinks it back to standby; the deploy guard (npm run dr -- guard) refuses to deploy until they agree:',
    `  ${f.command}`,
    `  then commit ${f.stackFile}`,
  ];
}

/** `RTO (time to flip + DNS TTL): 61.20 s = 1.20 s to flip (wall clock from run start) + 60 s TTL; ...`. */
export function rtoLine(r: OperationResult): string {
  const steps = r.stepsMs === undefined ? '' : `; steps took ${formatMs(r.stepsMs)}`;
  const wall = r.wallClockMs === undefined ? '' : `; wall clock from run start: ${formatMs(r.wallClockMs)}`;
  return r.timeToFlipMs === undefined
    ? `RTO (time to flip + DNS TTL): not reached, traffic did not flip${steps}${wall}`
    : `RTO (time to flip + DNS TTL): ${formatMs(r.rtoMs)} = ${formatMs(r.timeToFlipMs)} to flip (wall clock from run start, crash gaps included) + ${formatMs(r.dnsTtlMs ?? 0)} DNS TTL${steps}${wall}`;
}

function rpo(v: number | null | undefined): string {
  return v === undefined ? '-' : v === null ? 'unknown (no ReplicationLatency datapoint)' : formatMs(v);
}

/** Drill summary: both halves' steps, the RTO per step and in total, and the observed RPO. */
export function renderDrill(d: DrillResult): string {
  const rows = [d.failover, ...(d.failback ? [d.failback] : [])].flatMap((r) =>
    r.steps.map((s) => [`${r.operation}.${s.n}`, s.id, stepStatus(s), ms(s.ms), s.detail ?? '']),
  );
  const lines = [
    '',
    `drill ${drillLabel(d)} (${d.environment}): ${d.status.toUpperCase()}`,
    textTable(['step', 'id', 'status', 'time', 'detail'], rows),
  ];
  if (d.status !== 'planned') {
    lines.push(
      textTable(
        ['measure', 'observed', 'target'],
        [
          [
            'RTO (failover: time to flip + DNS TTL)',
            d.failover.timeToFlipMs === undefined ? 'not reached' : formatMs(d.rtoMs),
            formatMs(d.rtoTargetMs),
          ],
          [
            'failback (time to flip + DNS TTL)',
            d.failback?.timeToFlipMs === undefined ? '-' : formatMs(d.failback.rtoMs),
            '-',
          ],
          ['drill total (sum of steps)', formatMs(d.totalMs), '-'],
          ['RPO (replication latency at cut-over)', rpo(d.rpoMs), formatMs(d.rpoTargetMs)],
        ],
      ),
    );
  }
  for (const r of [d.failover, d.failback]) {
    for (const w of r?.warnings ?? []) lines.push(`${r?.operation} WARNING: ${w}`);
    if (r?.error) lines.push(`${r.operation} error: ${r.error}`);
  }
  // The stack config must name where traffic is now: after a whole drill, where it started. An
  // unfinished drill gets what to do instead (never "commit the DR region": issue 16 finding 12).
  if (d.nextAction) lines.push('', `NEXT: ${d.nextAction}`);
  const last = d.nextAction ? undefined : (d.failback?.activeRegionConfig ?? d.failover.activeRegionConfig);
  if (last) lines.push(...followUpLines(last));
  return lines.join('\n');
}

/** Status: one row per region, then workloads per region. */
export function renderStatus(s: StatusResult): string {
  const rows = s.regions.map((r) => [
    r.region,
    r.role,
    val(r.routingControl, (v) => v),
    val(r.activeRecord, (v) => (v ? `${v.activeRegion} (fenced ${v.writeFence.region})` : 'unset')),
    val(r.tables, (t) => t.map((x) => x.status).join('/')),
    val(r.replicationLatency, (l) => l.map((x) => (x.ms === undefined ? 'n/a' : `${x.ms}ms`)).join('/')),
    val(r.stream, (x) => `${x.status} ${x.shards}sh age ${x.iteratorAgeMs ?? 'n/a'}ms`),
    val(r.queues, (q) => q.map((x) => `${x.visible}(${x.oldestAgeSeconds ?? 'n/a'}s)`).join(' ')),
    val(r.heartbeats, (h) =>
      h.map((x) => `${x.of} ${x.ageMs === null ? 'none' : `${x.ageMs}ms`}`).join(' / '),
    ),
  ]);
  const workloads = s.regions.flatMap((r) =>
    r.workloads.ok
      ? r.workloads.value.map((w) => [
          r.region,
          w.deployment,
          `${w.ready}/${w.desired}`,
          String(w.min),
          `${w.standbyMin}/${w.fullMin}`,
          w.autoscaler,
        ])
      : [[r.region, '-', val(r.workloads, () => ''), '-', '-', '-']],
  );
  const runbook = s.regions.map((r) => [
    r.region,
    val(r.runbook, (x) =>
      x.lock
        ? `run ${x.lock.runId} (${x.lock.operation}) by ${x.lock.owner}, lease ${x.lock.lapsed ? 'lapsed at' : 'until'} ${new Date(x.lock.expiresAt).toISOString()}`
        : 'free',
    ),
    val(r.runbook, (x) =>
      x.openRun
        ? `${x.openRun.runId} ${x.openRun.operation} ${x.openRun.from} -> ${x.openRun.to} by ${x.openRun.owner}` +
          (x.openRun.step
            ? `, step ${x.openRun.step.n}/${x.openRun.step.of} ${x.openRun.step.id} (${x.openRun.step.state})`
            : ', closing')
        : 'none',
    ),
    val(r.runbook, (x) => (x.openDrill ? `${x.openDrill.drillId} (since ${x.openDrill.startedAt})` : 'none')),
  ]);
  return [
    `${s.environment}: active region ${s.activeRegion}`,
    ...(s.inconsistencies.length
      ? [
          ...s.inconsistencies.map((i) => `INCONSISTENT: ${i.message}`),
          ...(s.nextAction ? [`  next: ${s.nextAction}`] : []),
        ]
      : []),
    textTable(
      [
        'region',
        'role',
        'routing',
        'active-region record',
        'tables',
        'repl. latency',
        'stream',
        'queues depth(oldest)',
        'heartbeat ages (read here)',
      ],
      rows,
    ),
    '',
    textTable(['region', 'deployment', 'ready', 'min', 'standby/full', 'autoscaler'], workloads),
    '',
    textTable(['runbook (read here)', 'lock', 'open run', 'open drill'], runbook),
    '',
    renderCanaryStatus(s.canary),
    ...(s.unreachable.length
      ? [
          '',
          `UNREACHABLE: ${s.unreachable.map((u) => `${u.region} (${u.failed.join(', ')})`).join('; ')}: the status above is incomplete (exit 1)`,
        ]
      : []),
  ].join('\n');
}

/** The pre-deploy guard's verdict, then each region's copy of the record. */
export function renderGuard(g: GuardResult): string {
  const verdict = g.status === 'agree' || g.status === 'no-record' ? 'OK' : 'REFUSED';
  const rows = g.reads.map((r) => [
    r.region,
    r.ok ? (r.activeRegion ?? (r.noTable ? 'no control table' : 'no record')) : `unreachable (${r.error})`,
  ]);
  return [
    `dr guard ${g.environment}: ${verdict} (${g.status})${g.allowOneRegion ? ' [--allow-one-region]' : ''}`,
    ...(rows.length > 0 ? [textTable(['read via', 'active region'], rows)] : []),
    g.message,
  ].join('\n');
}
