/**
 * Reads the objects that shape capacity dynamics from a plan's `resources.json` (DESIGN.md §3.2):
 * KEDA ScaledObjects (with their `advanced.horizontalPodAutoscalerConfig.behavior`), HPAs, the
 * Deployments' requests and probes, node groups, the Kinesis shard count, DynamoDB autoscaling
 * targets and policies, and the failover records with their health checks. Nothing is re-derived
 * from config: the simulator runs exactly what would be deployed.
 */
import { UsageError } from '../lib/exit-codes';
import { INSTANCE_TYPES } from './instances';
import { cpuMillis, memoryMiB } from './quantity';
import type {
  FixedWorkload,
  HpaBehavior,
  NodeGroupPlan,
  RegionPlan,
  SimPlan,
  TableScalingPlan,
  TrafficPlan,
  Trigger,
  WorkloadPlan,
} from './types';

/** One entry of resources.json, as far as the reader needs it. */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly region: string | null;
  readonly props: Record<string, unknown>;
}

import { arr, behaviorOf, cronWindowSeconds, hpaMetric, kedaTrigger, num, obj, Obj } from './plan-triggers';

/** KEDA ScaledObject defaults. @see https://keda.sh/docs/2.20/reference/scaledobject-spec/ */
export const KEDA_DEFAULTS = { pollingInterval: 30, minReplicaCount: 0, maxReplicaCount: 100 } as const;
/** Annotations the charts put on every autoscaler (charts/workloads-chart.ts). */
export const FULL_MIN_ANNOTATION = 'risk-platform/full-min-replicas';
export const STANDBY_MIN_ANNOTATION = 'risk-platform/standby-min-replicas';

interface Scaler {
  readonly kind: 'ScaledObject' | 'HorizontalPodAutoscaler';
  readonly target: string;
  readonly annotations: Obj;
  readonly min: number;
  readonly max: number;
  readonly polling: number;
  readonly behavior: HpaBehavior;
  readonly triggers: Trigger[];
}

function scalerOf(r: PlanResource): Scaler | undefined {
  const p = r.props;
  const spec = obj(p.spec);
  const meta = obj(p.metadata);
  const where = `${r.region}/${String(meta.name ?? r.name)}`;
  if (p.kind === 'ScaledObject') {
    return {
      kind: 'ScaledObject',
      target: String(obj(spec.scaleTargetRef).name),
      annotations: obj(meta.annotations),
      min: num(spec.minReplicaCount, KEDA_DEFAULTS.minReplicaCount),
      max: num(spec.maxReplicaCount, KEDA_DEFAULTS.maxReplicaCount),
      polling: num(spec.pollingInterval, KEDA_DEFAULTS.pollingInterval),
      behavior: behaviorOf(obj(obj(spec.advanced).horizontalPodAutoscalerConfig).behavior),
      triggers: arr(spec.triggers).map((t) => kedaTrigger(t, `ScaledObject ${where}`)),
    };
  }
  if (p.kind === 'HorizontalPodAutoscaler') {
    return {
      kind: 'HorizontalPodAutoscaler',
      target: String(obj(spec.scaleTargetRef).name),
      annotations: obj(meta.annotations),
      min: num(spec.minReplicas, 1),
      max: num(spec.maxReplicas, NaN),
      polling: 0,
      behavior: behaviorOf(spec.behavior),
      triggers: arr(spec.metrics).map((m) => hpaMetric(m, `HorizontalPodAutoscaler ${where}`)),
    };
  }
  return undefined;
}

function podResources(deployment: Obj): { cpu: number; limit: number; mem: number; readiness: number } {
  const containers = arr(obj(obj(obj(deployment.spec).template).spec).containers).map(obj);
  let cpu = 0;
  let limit = 0;
  let mem = 0;
  let readiness = 0;
  for (const c of containers) {
    const res = obj(c.resources);
    cpu += cpuMillis(obj(res.requests).cpu) ?? 0;
    limit += cpuMillis(obj(res.limits).cpu) ?? cpuMillis(obj(res.requests).cpu) ?? 0;
    mem += memoryMiB(obj(res.requests).memory) ?? 0;
    readiness = Math.max(readiness, num(obj(c.readinessProbe).periodSeconds, 10));
  }
  return { cpu, limit, mem, readiness };
}

function regionOf(resources: readonly PlanResource[], region: string, file: string): RegionPlan {
  const here = resources.filter((r) => r.region === region);
  const scalers = here.map(scalerOf).filter((s): s is Scaler => s !== undefined);
  const workloads: WorkloadPlan[] = [];
  const fixed: FixedWorkload[] = [];
  for (const d of here.filter((r) => r.props.kind === 'Deployment')) {
    const meta = obj(d.props.metadata);
    const name = String(meta.name ?? d.name);
    const res = podResources(d.props);
    const scaler = scalers.find((s) => s.target === name);
    const replicas = obj(d.props.spec).replicas;
    if (!scaler) {
      if (replicas === undefined) {
        throw new UsageError(
          `--plan ${file}: Deployment ${region}/${String(meta.namespace ?? '')}/${name}`,
          'no ScaledObject or HorizontalPodAutoscaler',
          'a KEDA ScaledObject or autoscaling/v2 HorizontalPodAutoscaler whose scaleTargetRef names it (a Deployment without spec.replicas is sized by its autoscaler)',
        );
      }
      fixed.push({
        workload: name,
        replicas: num(replicas, 1),
        cpuRequestMillis: res.cpu,
        memoryRequestMiB: res.mem,
      });
      continue;
    }
    workloads.push({
      workload: name,
      region,
      autoscaler: scaler.kind,
      minReplicas: scaler.min,
      maxReplicas: scaler.max,
      fullMinReplicas: num(scaler.annotations[FULL_MIN_ANNOTATION], scaler.min),
      pollingIntervalSeconds: scaler.polling,
      behavior: scaler.behavior,
      triggers: scaler.triggers,
      cpuRequestMillis: res.cpu,
      cpuLimitMillis: res.limit,
      memoryRequestMiB: res.mem,
      readinessPeriodSeconds: res.readiness,
    });
  }
  const nodeGroups: NodeGroupPlan[] = here
    .filter((r) => r.type === 'aws:eks/nodeGroup:NodeGroup')
    .map((r) => {
      const types = arr(r.props.instanceTypes).map(String);
      const shape = INSTANCE_TYPES[types[0]];
      if (!shape) {
        throw new UsageError(
          `--plan ${file}: ${r.name} instanceTypes[0]`,
          types[0],
          `one of ${Object.keys(INSTANCE_TYPES).join(', ')}`,
        );
      }
      const sc = obj(r.props.scalingConfig);
      return {
        name: String(r.props.nodeGroupName ?? r.name),
        zone: String(arr(r.props.subnetIds)[0] ?? r.name),
        instanceType: types[0],
        vcpu: shape.vcpu,
        memoryMiB: shape.memoryMiB,
        minSize: num(sc.minSize, 0),
        maxSize: num(sc.maxSize, 0),
        desiredSize: num(sc.desiredSize, num(sc.minSize, 0)),
      };
    });
  const stream = here.find((r) => r.type === 'aws:kinesis/stream:Stream');
  const shards =
    stream && obj(stream.props.streamModeDetails).streamMode !== 'ON_DEMAND'
      ? num(stream.props.shardCount, NaN)
      : undefined;
  return {
    region,
    active: scalers.length > 0 && scalers.every((s) => s.annotations[STANDBY_MIN_ANNOTATION] === undefined),
    workloads,
    fixed,
    nodeGroups,
    shardCount: shards !== undefined && Number.isFinite(shards) ? shards : undefined,
    tables: tablesOf(here),
  };
}

/** DynamoDB target tracking: each scalable target joined with its TargetTrackingScaling policy. */
function tablesOf(here: readonly PlanResource[]): TableScalingPlan[] {
  const policies = here.filter((r) => r.type === 'aws:appautoscaling/policy:Policy');
  return here
    .filter((r) => r.type === 'aws:appautoscaling/target:Target' && r.props.serviceNamespace === 'dynamodb')
    .flatMap((t) => {
      const p = policies.find(
        (x) =>
          x.props.resourceId === t.props.resourceId &&
          x.props.scalableDimension === t.props.scalableDimension,
      );
      const cfg = obj(p?.props.targetTrackingScalingPolicyConfiguration);
      if (!p || cfg.targetValue === undefined) return [];
      const dim = String(t.props.scalableDimension);
      const launchFloors = launchFloorsOf(here, t);
      return [
        {
          table: String(t.props.resourceId).replace(/^table\//, ''),
          dimension: dim.endsWith('ReadCapacityUnits') ? ('read' as const) : ('write' as const),
          minCapacity: num(t.props.minCapacity, 0),
          maxCapacity: num(t.props.maxCapacity, 0),
          targetPercent: num(cfg.targetValue, 70),
          ...(launchFloors.length > 0 ? { launchFloors } : {}),
        },
      ];
    });
}

/** The `prescale-<window>-open|close` scheduled actions on one scalable target, paired by window. */
function launchFloorsOf(
  here: readonly PlanResource[],
  target: PlanResource,
): NonNullable<TableScalingPlan['launchFloors']> {
  const actions = here.filter(
    (r) =>
      r.type === 'aws:appautoscaling/scheduledAction:ScheduledAction' &&
      r.props.resourceId === target.props.resourceId &&
      r.props.scalableDimension === target.props.scalableDimension,
  );
  return actions.flatMap((open) => {
    const m = /^prescale-(.+)-open$/.exec(String(open.props.name ?? ''));
    const close = m && actions.find((c) => c.props.name === `prescale-${m[1]}-close`);
    const seconds = close ? cronWindowSeconds(open.props.schedule, close.props.schedule) : undefined;
    if (!m || !close || seconds === undefined) return [];
    return [
      {
        window: m[1],
        minCapacity: num(obj(open.props.scalableTargetAction).minCapacity, 0),
        restoreCapacity: num(obj(close.props.scalableTargetAction).minCapacity, 0),
        windowSeconds: seconds,
      },
    ];
  });
}

function trafficOf(resources: readonly PlanResource[]): TrafficPlan | undefined {
  const record = resources.find(
    (r) => r.type === 'aws:route53/record:Record' && arr(r.props.failoverRoutingPolicies).length > 0,
  );
  if (!record) return undefined;
  const hc =
    resources.find(
      (r) =>
        r.type === 'aws:route53/healthCheck:HealthCheck' && `hc-${r.name}` === record.props.healthCheckId,
    ) ?? resources.find((r) => r.type === 'aws:route53/healthCheck:HealthCheck');
  const type = String(hc?.props.type ?? 'none');
  return {
    ttlSeconds: num(record.props.ttl, 60),
    healthCheckType: type,
    requestIntervalSeconds: type === 'RECOVERY_CONTROL' ? undefined : num(hc?.props.requestInterval, 30),
    failureThreshold: type === 'RECOVERY_CONTROL' ? undefined : num(hc?.props.failureThreshold, 3),
  };
}

/** The environment name from the URNs (`urn:pulumi:<stack>::...`, stack `<env>` or `<env>-<suffix>`). */
function envOf(resources: readonly PlanResource[]): string {
  const stack = /^urn:pulumi:([^:]+)::/.exec(resources[0]?.urn ?? '')?.[1] ?? '';
  return stack.split('-')[0];
}

/** The simulator's plan: every region that runs workloads, active region first. */
export function readSimPlan(resources: readonly PlanResource[], file = 'resources.json'): SimPlan {
  const regions = [...new Set(resources.filter((r) => r.props.kind === 'Deployment').map((r) => r.region))]
    .filter((r): r is string => typeof r === 'string')
    .sort()
    .map((r) => regionOf(resources, r, file))
    .sort((a, b) => Number(b.active) - Number(a.active));
  if (regions.length === 0)
    throw new UsageError(
      `--plan ${file}`,
      'no Deployment',
      'a plan with the workloads (kubernetes:apps/v1:Deployment)',
    );
  return { env: envOf(resources), regions, traffic: trafficOf(resources) };
}
