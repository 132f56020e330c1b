/**
 * Parsing of autoscaler specs from plan objects: HPA `behavior` (with the autoscaling/v2 defaults for
 * what is left out), KEDA triggers and HPA metrics as the simulator's {@link Trigger}s.
 */
import { UsageError } from '../lib/exit-codes';
import { cronWindowSeconds } from '../../stacks/launch-windows';
import { DEFAULT_BEHAVIOR } from './hpa';
import type { HpaBehavior, HpaRules, Trigger } from './types';

export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export { cronWindowSeconds };
export const num = (v: unknown, dflt: number): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : dflt;
};

function rules(v: unknown, dflt: HpaRules): HpaRules {
  const r = obj(v);
  if (Object.keys(r).length === 0) return dflt;
  return {
    stabilizationWindowSeconds: num(r.stabilizationWindowSeconds, dflt.stabilizationWindowSeconds),
    selectPolicy: (r.selectPolicy as HpaRules['selectPolicy']) ?? 'Max',
    policies: r.policies
      ? arr(r.policies).map((p) => {
          const o = obj(p);
          return {
            type: o.type as 'Pods' | 'Percent',
            value: num(o.value, 0),
            periodSeconds: num(o.periodSeconds, 15),
          };
        })
      : dflt.policies,
  };
}

/** `spec.behavior` with the HPA defaults for whatever is left out. */
export function behaviorOf(v: unknown): HpaBehavior {
  const b = obj(v);
  return {
    scaleUp: rules(b.scaleUp, DEFAULT_BEHAVIOR.scaleUp),
    scaleDown: rules(b.scaleDown, DEFAULT_BEHAVIOR.scaleDown),
  };
}

/** A KEDA trigger as the metric the HPA evaluates; an unknown type is bad input naming the workload. */
export function kedaTrigger(t: unknown, where: string): Trigger {
  const o = obj(t);
  const m = obj(o.metadata);
  const metricType = (o.metricType as 'AverageValue' | 'Value' | 'Utilization' | undefined) ?? 'AverageValue';
  switch (o.type) {
    case 'cpu':
      if (metricType !== 'Utilization') break;
      return { type: 'cpu', utilizationPercent: num(m.value, NaN) };
    case 'datadog':
      return {
        type: 'datadog',
        metricType: metricType === 'Value' ? 'Value' : 'AverageValue',
        target: num(m.targetValue ?? m.queryValue, NaN),
        activation: num(m.activationTargetValue ?? m.activationQueryValue, 0),
      };
    case 'aws-sqs-queue':
      return {
        type: 'aws-sqs-queue',
        queueLength: num(m.queueLength, 5),
        activation: num(m.activationQueueLength, 0),
        scaleOnInFlight: m.scaleOnInFlight !== 'false' && m.scaleOnInFlight !== false,
      };
    case 'aws-kinesis-stream':
      return {
        type: 'aws-kinesis-stream',
        shardCount: num(m.shardCount, 2),
        activation: num(m.activationShardCount, 0),
      };
    case 'aws-cloudwatch':
      return {
        type: 'aws-cloudwatch',
        metricType: metricType === 'Value' ? 'Value' : 'AverageValue',
        target: num(m.targetMetricValue, NaN),
        activation: num(m.activationTargetMetricValue, 0),
        stat: m.metricStat === 'Average' ? 'Average' : 'Sum',
        periodSeconds: num(m.metricStatPeriod, 300),
        endOffsetSeconds: num(m.metricEndTimeOffset, 0),
      };
    case 'cron': {
      const seconds = cronWindowSeconds(m.start, m.end);
      const desired = num(m.desiredReplicas, NaN);
      if (seconds === undefined || !(desired >= 1))
        throw new UsageError(
          `${where} trigger ${String(o.name ?? 'cron')} metadata`,
          { start: m.start, end: m.end, desiredReplicas: m.desiredReplicas },
          "start and end crons 'M H * * <days>' (stacks/launch-windows.ts) and desiredReplicas >= 1",
        );
      return { type: 'cron', name: String(o.name ?? ''), desiredReplicas: desired, windowSeconds: seconds };
    }
    default:
  }
  throw new UsageError(
    `${where} trigger`,
    { type: o.type, metricType },
    'one of cpu (Utilization), datadog, aws-sqs-queue, aws-kinesis-stream, aws-cloudwatch, cron',
  );
}

/** An autoscaling/v2 HPA metric as a trigger (CPU utilization only). */
export function hpaMetric(m: unknown, where: string): Trigger {
  const o = obj(m);
  const r = obj(o.resource);
  const target = obj(r.target);
  if (o.type === 'Resource' && r.name === 'cpu' && target.type === 'Utilization') {
    return { type: 'cpu', utilizationPercent: num(target.averageUtilization, NaN) };
  }
  throw new UsageError(`${where} metric`, o, 'a Resource metric on cpu with a Utilization target');
}
