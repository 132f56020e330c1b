/**
 * The time-stepped simulation of one region. Each step of `dt` seconds, in this order:
 * 1. the scheduler places pending pods on Ready nodes (./cluster.ts);
 * 2. each workload serves its demand with its Ready pods at the load-tested per-pod rate: a
 *    synchronous workload loses what exceeds capacity, a queue or stream consumer accumulates a
 *    backlog (the stream scorer uses at most one pod per shard, and the stream accepts at most
 *    1,000 records/s per shard: @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html);
 * 3. DynamoDB target tracking advances (./tables.ts);
 * 4. on multiples of 15 s the HPA syncs (./hpa.ts) on what KEDA's scalers read (./keda.ts,
 *    ./history.ts lags), and the Deployment gets its new replica count;
 * 5. on multiples of the scan interval the cluster autoscaler adds nodes for pending pods;
 * 6. in a failover, the runbook's scale-up step polls readiness; traffic arrives after the
 *    traffic stages once every workload is Ready at its full minimum.
 * A step is "short" for a workload when demand exceeds capacity (sync) or a backlog remains.
 */
import { DEFAULT_ASSUMPTIONS, Assumptions } from './assumptions';
import { autoscale, Cluster, newCluster, release, schedule, SimPod } from './cluster';
import { cloudwatchDatapoint, History, refreshedMean } from './history';
import { HPA_SYNC_SECONDS, HpaState, hpaSync, initialHpaState } from './hpa';
import { kedaProposal, Observation } from './keda';
import { newTable, raiseMinimum, tableStep, TableState } from './tables';
import { Outcome, Tracker } from './tracker';
import { steadyReplicas } from './steady-state';
import type { RegionPlan, WorkloadPlan } from './types';

export interface WorkloadDemand {
  readonly workload: string;
  /** The load-tested throughput of one pod (units/s). */
  readonly perPod: number;
  readonly mode: 'sync' | 'queue' | 'stream';
  /** Offered rate (units/s) at `t` seconds after traffic arrives. */
  readonly demand: (t: number) => number;
}

export interface TableDemand {
  readonly table: string;
  readonly dimension: 'read' | 'write';
  readonly demand: (t: number) => number;
}

export interface RegionRunOptions {
  readonly duration: number;
  /** Step in seconds; 1 or 5 (both divide the HPA sync and the CA scan). @default 1 */
  readonly dt?: number;
  readonly assumptions?: Assumptions;
  /** Spare nodes per zone group above its desired size (over-provisioning / warm capacity). @default 0 */
  readonly extraNodesPerGroup?: number;
  /** A failover: the runbook raises minimums at t=0, traffic arrives `trafficSeconds` after they are Ready. */
  readonly failover?: {
    readonly trafficSeconds: number;
    /** The runbook's planned `MinCapacity` per `<table>:<dimension>` (./failover-floors.ts). */
    readonly tableMinimums: Readonly<Record<string, number>>;
    /**
     * The runbook's planned minimum per workload (./failover-floors.ts).
     * @default - each workload's `fullMinReplicas`
     */
    readonly podMinimums?: Readonly<Record<string, number>>;
  };
  /**
   * An announced launch: window `window` opens at `opensAt` seconds; the plan's cron triggers and
   * scheduled table floors of that window apply for their planned length. @default - none
   */
  readonly prescale?: { readonly window: string; readonly opensAt: number };
  /** Seconds between chart samples. @default duration / 60 */
  readonly sampleEvery?: number;
}

export interface RegionOutcome {
  readonly region: string;
  readonly peakNodes: number;
  /** When traffic arrived (0 unless failover). */
  readonly arrivalAt: number;
  /** False when a failover's runbook never saw every workload Ready at its full minimum. */
  readonly arrived: boolean;
  readonly outcomes: Outcome[];
  /** The pre-scale objects of the announced window found in the plan (workloads, `<table>:<dimension>`). */
  readonly prescaled?: { readonly workloads: string[]; readonly tables: string[] };
}

/** The names of the cron triggers whose window (opened at `opensAt`) holds `t`. */
export function activeCronTriggers(
  w: Pick<WorkloadPlan, 'triggers'>,
  prescale: RegionRunOptions['prescale'],
  t: number,
): Set<string> {
  const out = new Set<string>();
  for (const tr of w.triggers)
    if (
      tr.type === 'cron' &&
      prescale &&
      tr.name === `prescale-${prescale.window}` &&
      t >= prescale.opensAt &&
      t < prescale.opensAt + tr.windowSeconds
    )
      out.add(tr.name);
  return out;
}

interface Live {
  readonly plan: WorkloadPlan;
  readonly load: WorkloadDemand;
  min: number;
  hpa: HpaState;
  pods: SimPod[];
  backlog: number;
  readonly offered: History;
  readonly accepted: History;
  readonly cpu: History;
  readonly track: Tracker;
}

function observe(
  w: Live,
  now: number,
  ready: number,
  shards: number,
  a: Assumptions,
  prescale?: RegionRunOptions['prescale'],
): Observation {
  const cw = w.plan.triggers.find((t) => t.type === 'aws-cloudwatch');
  return {
    cronActive: activeCronTriggers(w.plan, prescale, now),
    replicas: w.hpa.replicas,
    readyPods: ready,
    notReadyPods: w.pods.length - ready,
    readyCpuPercent: refreshedMean(
      w.cpu,
      now,
      a.metricsServerResolutionSeconds,
      0,
      a.metricsServerResolutionSeconds,
    ),
    datadogRate: refreshedMean(
      w.offered,
      now,
      a.datadogRefreshSeconds,
      a.datadogDelaySeconds,
      a.datadogRefreshSeconds,
    ),
    cloudwatchValue:
      cw?.type === 'aws-cloudwatch'
        ? cloudwatchDatapoint(w.accepted, now, cw.periodSeconds, cw.endOffsetSeconds, cw.stat)
        : 0,
    queueVisible: w.load.mode === 'queue' ? w.backlog : 0,
    queueInFlight:
      w.load.mode === 'queue'
        ? Math.min(ready * a.sqsInFlightPerPod, w.backlog + w.offered.mean(now - 1, now))
        : 0,
    shardCount: shards,
  };
}

function setReplicas(w: Live, n: number, now: number): void {
  while (w.pods.length < n)
    w.pods.push({
      workload: w.plan.workload,
      cpu: w.plan.cpuRequestMillis,
      mem: w.plan.memoryRequestMiB,
      createdAt: now,
    });
  if (w.pods.length <= n) return;
  // The ReplicaSet removes unscheduled, then not-ready, then the newest pods first.
  const rank = (p: SimPod) => (!p.node ? 0 : p.readyAt === undefined || p.readyAt > now ? 1 : 2);
  w.pods.sort((x, y) => rank(x) - rank(y) || y.createdAt - x.createdAt);
  for (const p of w.pods.splice(0, w.pods.length - n)) release(p);
}

/** Simulates one region for `duration` seconds. */
export function simulateRegion(
  region: RegionPlan,
  loads: readonly WorkloadDemand[],
  tableLoads: readonly TableDemand[],
  opts: RegionRunOptions,
): RegionOutcome {
  const a = opts.assumptions ?? DEFAULT_ASSUMPTIONS;
  const dt = opts.dt ?? 1;
  if (![1, 5].includes(dt)) throw new Error(`dt (${dt}) must be 1 or 5`);
  const sampleEvery = Math.max(dt, Math.ceil((opts.sampleEvery ?? opts.duration / 60) / dt) * dt);
  const cluster: Cluster = newCluster(
    region.nodeGroups,
    opts.extraNodesPerGroup ?? 0,
    region.workloads.map((w) => w.workload),
  );
  const shards = region.shardCount ?? Number.POSITIVE_INFINITY;
  let arrival: number | undefined = opts.failover ? undefined : 0;
  const demandAt = (l: { demand: (t: number) => number }, t: number) =>
    arrival !== undefined && t >= arrival ? Math.max(0, l.demand(t - arrival)) : 0;
  const live: Live[] = loads.map((load) => {
    const plan = region.workloads.find((w) => w.workload === load.workload);
    if (!plan) throw new Error(`${region.region}: no autoscaled workload ${load.workload} in the plan`);
    const w: Live = {
      plan,
      load,
      min: plan.minReplicas,
      hpa: initialHpaState(plan.minReplicas),
      pods: [],
      backlog: 0,
      offered: new History(dt),
      accepted: new History(dt),
      cpu: new History(dt),
      track: new Tracker(),
    };
    const r = steadyReplicas(plan, load.perPod, demandAt(load, 0), shards, a);
    w.hpa = initialHpaState(r);
    setReplicas(w, r, 0);
    return w;
  });
  const fixedPods: SimPod[] = region.fixed.flatMap((f) =>
    Array.from({ length: f.replicas }, () => ({
      workload: f.workload,
      cpu: f.cpuRequestMillis,
      mem: f.memoryRequestMiB,
      createdAt: 0,
    })),
  );
  const timing = {
    startSeconds: a.podStartSeconds,
    pullSeconds: a.imagePullSeconds,
    probeSeconds: (n: string) => live.find((w) => w.plan.workload === n)?.plan.readinessPeriodSeconds ?? 5,
  };
  schedule(cluster, [...fixedPods, ...live.flatMap((w) => w.pods)], 0, timing, true);
  const tables: { state: TableState; load: TableDemand; track: Tracker }[] = tableLoads.flatMap((load) => {
    const plan = region.tables.find((t) => t.table === load.table && t.dimension === load.dimension);
    return plan ? [{ state: newTable(plan, demandAt(load, 0)), load, track: new Tracker() }] : [];
  });
  if (opts.failover) {
    for (const w of live)
      w.min = Math.max(w.min, opts.failover.podMinimums?.[w.plan.workload] ?? w.plan.fullMinReplicas);
    for (const t of tables) {
      const min = opts.failover.tableMinimums[`${t.state.plan.table}:${t.state.plan.dimension}`];
      if (min !== undefined) raiseMinimum(t.state, min, 0, a.dynamodbUpdateSeconds);
    }
  }
  let peakNodes = cluster.nodes.length;
  for (let t = 0; t < opts.duration; t += dt) {
    const allPods = [...fixedPods, ...live.flatMap((w) => w.pods)];
    schedule(cluster, allPods, t, timing);
    for (const w of live) {
      const d = demandAt(w.load, t);
      const ready = w.pods.filter((p) => p.readyAt !== undefined && p.readyAt <= t).length;
      const serving = w.load.mode === 'stream' ? Math.min(ready, shards) : ready;
      const cap = serving * w.load.perPod;
      const accepted = w.load.mode === 'stream' ? Math.min(d, shards * 1000) : d;
      let busy: number;
      let short: boolean;
      if (w.load.mode === 'sync') {
        busy = Math.min(d, cap);
        short = d > cap + 1e-9;
      } else {
        const work = w.backlog + accepted * dt;
        const done = Math.min(work, cap * dt);
        w.backlog = work - done;
        busy = done / dt;
        short =
          accepted < d ||
          (w.backlog > 1e-6 &&
            (cap <= 0 || w.backlog / cap > a.consumerLagToleranceSeconds || accepted > cap));
      }
      const limitPct = (w.plan.cpuLimitMillis / Math.max(1, w.plan.cpuRequestMillis)) * 100;
      w.cpu.push(
        ready > 0 ? Math.min(limitPct, (busy / ready / w.load.perPod) * a.cpuPercentAtPodThroughput) : 0,
      );
      w.offered.push(d);
      w.accepted.push(accepted);
      w.track.step(
        t,
        dt,
        short,
        Math.max(0, d - Math.min(cap, accepted)) * dt,
        opts.failover ? (arrival ?? Number.POSITIVE_INFINITY) : undefined,
      );
      w.track.peakPods = Math.max(w.track.peakPods, w.pods.length);
      w.track.podSecondsAboveNeed += Math.max(0, w.pods.length - Math.ceil(d / w.load.perPod - 1e-9)) * dt;
      if (t % sampleEvery === 0)
        w.track.samples.push({
          t,
          demand: d,
          capacity: Math.min(cap, w.load.mode === 'stream' ? shards * 1000 : cap),
          pods: w.pods.length,
          nodes: cluster.nodes.length,
        });
    }
    for (const tb of tables) {
      // The window's scheduled actions: MinCapacity raised at the opening (UpdateTable follows), restored at the close.
      const lf = tb.state.plan.launchFloors?.find((f) => f.window === opts.prescale?.window);
      if (lf && opts.prescale) {
        if (t >= opts.prescale.opensAt && t - dt < opts.prescale.opensAt)
          raiseMinimum(tb.state, lf.minCapacity, t, a.dynamodbUpdateSeconds);
        const closes = opts.prescale.opensAt + lf.windowSeconds;
        if (t >= closes && t - dt < closes) tb.state.min = lf.restoreCapacity;
      }
      const d = demandAt(tb.load, t);
      const cap = tableStep(tb.state, t, dt, d, {
        alarmDelaySeconds: a.dynamodbAlarmDelaySeconds,
        updateSeconds: a.dynamodbUpdateSeconds,
        burst: a.dynamodbBurstCapacity,
      });
      const arrivedAt = opts.failover ? (arrival ?? Number.POSITIVE_INFINITY) : undefined;
      tb.track.step(t, dt, d > cap + 1e-9, Math.max(0, d - cap) * dt, arrivedAt);
      if (t % sampleEvery === 0) tb.track.samples.push({ t, demand: d, capacity: cap, pods: 0, nodes: 0 });
    }
    if (t % HPA_SYNC_SECONDS === 0) {
      for (const w of live) {
        const ready = w.pods.filter((p) => p.readyAt !== undefined && p.readyAt <= t).length;
        const proposal = kedaProposal(
          w.plan.triggers,
          observe(w, t, ready, Math.min(shards, 1e9), a, opts.prescale),
        );
        w.hpa = hpaSync(
          w.hpa,
          t,
          proposal,
          { min: Math.max(1, w.min), max: w.plan.maxReplicas },
          w.plan.behavior,
        );
        setReplicas(w, w.hpa.replicas, t);
      }
    }
    if (t % a.clusterAutoscalerScanSeconds === 0) {
      const pending = [...fixedPods, ...live.flatMap((w) => w.pods)].filter(
        (p) => !p.node && p.createdAt < t,
      ); // the scheduler has tried them
      autoscale(cluster, pending, t, a.nodeLaunchToReadySeconds);
      peakNodes = Math.max(peakNodes, cluster.nodes.length);
    }
    if (opts.failover && arrival === undefined && t % a.runbookPollSeconds === 0) {
      // The runbook's scale-up waits for its planned minimums Ready and its raised table floors provisioned.
      const floorOf = (tb: (typeof tables)[number]) =>
        opts.failover?.tableMinimums[`${tb.state.plan.table}:${tb.state.plan.dimension}`] ?? 0;
      const atFull =
        live.every((w) => w.pods.filter((p) => p.readyAt !== undefined && p.readyAt <= t).length >= w.min) &&
        tables.every((tb) => tb.state.provisioned >= floorOf(tb));
      if (atFull) arrival = t + opts.failover.trafficSeconds;
    }
  }
  const end = opts.duration;
  const arr = opts.failover ? (arrival ?? end) : undefined;
  const win = opts.prescale?.window;
  const prescaled = win
    ? {
        workloads: live
          .filter((w) => w.plan.triggers.some((tr) => tr.type === 'cron' && tr.name === `prescale-${win}`))
          .map((w) => w.plan.workload),
        tables: tables
          .filter((tb) => tb.state.plan.launchFloors?.some((f) => f.window === win))
          .map((tb) => `${tb.state.plan.table}:${tb.state.plan.dimension}`),
      }
    : undefined;
  return {
    region: region.region,
    peakNodes,
    ...(prescaled ? { prescaled } : {}),
    arrivalAt: arrival ?? end,
    arrived: arrival !== undefined,
    outcomes: [
      ...live.map((w) => w.track.outcome(w.plan.workload, 'workload', end, arr)),
      ...tables.map((tb) =>
        tb.track.outcome(`dynamodb ${tb.state.plan.table} ${tb.state.plan.dimension}s`, 'table', end, arr),
      ),
    ],
  };
}
