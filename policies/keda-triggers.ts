import { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { arr, at, k8sId, kindOf, num, obj, physicalName, Props, regionOf, str } from './props';

/** Rules on what KEDA triggers read: Kinesis-scaled consumers and Datadog-scaled workloads. */

const KINESIS_STREAM = 'aws:kinesis/stream:Stream';

interface K8sObject {
  readonly r: PolicyResource;
  readonly props: Props;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly region: string;
}

function k8sObjects(resources: readonly PolicyResource[]): K8sObject[] {
  return resources
    .filter((r) => r.type.startsWith('kubernetes:') && kindOf(r.props as Props) !== undefined)
    .map((r) => {
      const props = r.props as Props;
      return { r, props, kind: kindOf(props) as string, ...k8sId(props), region: regionOf(r) ?? '?' };
    });
}
const where = (o: K8sObject) => `${o.kind} '${o.namespace}/${o.name}' (${o.region})`;

/** Configuration of `keda-kinesis-max-replicas`. */
export interface KedaKinesisConfig {
  /** The shard-count equivalent the capacity model assumes for an ON_DEMAND stream. @default - ON_DEMAND streams are not checked */
  readonly onDemandShardCount?: number;
}

/**
 * The Kinesis stream a KEDA trigger scales on: an `aws-kinesis-stream` trigger's `streamName`, or an
 * `aws-cloudwatch` trigger on an `AWS/Kinesis` metric with the `StreamName` dimension.
 */
function kinesisStreamOf(t: Props): string | undefined {
  if (t.type === 'aws-kinesis-stream') return str(at(t, 'metadata.streamName')) ?? '';
  if (
    t.type === 'aws-cloudwatch' &&
    str(at(t, 'metadata.namespace')) === 'AWS/Kinesis' &&
    str(at(t, 'metadata.dimensionName')) === 'StreamName'
  )
    return str(at(t, 'metadata.dimensionValue')) ?? '';
  return undefined;
}

/** Each Kinesis-scaled trigger of a ScaledObject with its stream resource and shard count (if known). */
function kinesisTriggers(
  args: Parameters<StackValidationPolicy['validateStack']>[0],
  config: KedaKinesisConfig,
  reportViolation: Parameters<StackValidationPolicy['validateStack']>[1],
  visit: (o: K8sObject, t: Props, streamName: string, shards: number | undefined, onDemand: boolean) => void,
): void {
  const streams = args.resources.filter((r) => r.type === KINESIS_STREAM);
  for (const o of k8sObjects(args.resources).filter((x) => x.kind === 'ScaledObject')) {
    for (const t of arr(at(o.props, 'spec.triggers')).map(obj)) {
      const streamName = t ? kinesisStreamOf(t) : undefined;
      if (!t || streamName === undefined) continue;
      const region = str(at(t, 'metadata.awsRegion')) ?? o.region;
      const stream = streams.find(
        (s) => physicalName(s) === streamName && (regionOf(s) ?? region) === region,
      );
      if (!stream) {
        reportViolation(
          `${where(o)} must scale on a Kinesis stream of this stack in its region, but no stream '${streamName || '<no stream name>'}' ` +
            `exists in ${region}; set the trigger's stream name (streamName or dimensionValue) to the region's stream name.`,
          o.r.urn,
        );
        continue;
      }
      const onDemand = at(stream.props, 'streamModeDetails.streamMode') === 'ON_DEMAND';
      const shards = onDemand ? config.onDemandShardCount : num((stream.props as Props).shardCount);
      visit(o, t, streamName, shards, onDemand);
    }
  }
}

/** A Kinesis-scaled consumer never has more replicas than the stream has shards (extra replicas hold no lease). */
export const kedaKinesisMaxReplicas: StackValidationPolicy = {
  name: 'keda-kinesis-max-replicas',
  description:
    "A KEDA ScaledObject scaled on a Kinesis stream (aws-kinesis-stream, or aws-cloudwatch on AWS/Kinesis) must not have a maxReplicaCount above the stream's shard count (same region).",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { onDemandShardCount: { type: 'integer', minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<KedaKinesisConfig>() ?? {};
    kinesisTriggers(args, config, reportViolation, (o, _t, streamName, shards, onDemand) => {
      const max = num(at(o.props, 'spec.maxReplicaCount')) ?? 100;
      if (shards !== undefined && max > shards) {
        reportViolation(
          `${where(o)} must have maxReplicaCount <= the shard count of stream '${streamName}' (${shards}${onDemand ? ', ON_DEMAND equivalent' : ''}), ` +
            `but it is ${max}; cap it at the shard count from the capacity model.`,
          o.r.urn,
        );
      }
    });
  },
};

/**
 * KEDA's `aws-kinesis-stream` scaler reads the open-shard count, a constant: its desired replica count
 * is `ceil(shards / shardCount)` at any load (pkg/scalers/aws_kinesis_stream_scaler.go). Above the
 * minimum, the minimum is dead and the standby region runs the same count as the active one. Scale
 * on a load signal instead (aws-cloudwatch IncomingRecords or iterator age), or keep that constant at
 * most the minimum.
 */
export const kedaKinesisLoadSignal: StackValidationPolicy = {
  name: 'keda-kinesis-load-signal',
  description:
    "A KEDA aws-kinesis-stream trigger's constant desired count (shards / shardCount) must not exceed the ScaledObject's minReplicaCount.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { onDemandShardCount: { type: 'integer', minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<KedaKinesisConfig>() ?? {};
    kinesisTriggers(
      args,
      config,
      () => undefined,
      (o, t, streamName, shards) => {
        if (t.type !== 'aws-kinesis-stream' || shards === undefined) return;
        const perReplica = Number(str(at(t, 'metadata.shardCount')) ?? '2'); // KEDA's default: 2
        const min = num(at(o.props, 'spec.minReplicaCount')) ?? 0;
        const desired = Math.ceil(shards / Math.max(perReplica, 1));
        if (desired > min) {
          reportViolation(
            `${where(o)} scales on the open-shard count of stream '${streamName}', a constant: it always wants ` +
              `${desired} replicas (${shards} shards / shardCount ${perReplica}), above its minReplicaCount ${min}, so the ` +
              `minimum and the standby never apply; scale on a load signal (aws-cloudwatch IncomingRecords) or set shardCount >= ${Math.ceil(shards / Math.max(min, 1))}.`,
            o.r.urn,
          );
        }
      },
    );
  },
};

/**
 * A ScaledObject with a `datadog` trigger stays Ready when the query has no data and keeps scaling
 * when the trigger fails:
 * - the DatadogMetric it reads (cluster-agent mode) wraps its query in `default_zero(...)`: in the
 *   standby region the series is empty, and the cluster agent then answers 422, which KEDA turns
 *   into an error unless `metricUnavailableValue` is set (pkg/scalers/datadog_scaler.go, v2.20.2);
 * - the trigger sets `metricUnavailableValue`;
 * - the ScaledObject has a `fallback` (failureThreshold >= 1, replicas >= minReplicaCount): a failed
 *   trigger (an expired bound token, kedacore/keda#8112) then holds the minimum instead of leaving
 *   the HPA with a missing metric, which blocks scale-down.
 */
export const kedaDatadogFallback: StackValidationPolicy = {
  name: 'keda-datadog-fallback',
  description:
    'A KEDA ScaledObject with a datadog trigger must have a fallback (replicas >= minReplicaCount), set metricUnavailableValue, and read a DatadogMetric whose query is wrapped in default_zero(...).',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const objects = k8sObjects(args.resources);
    for (const o of objects.filter((x) => x.kind === 'ScaledObject')) {
      const triggers = arr(at(o.props, 'spec.triggers'))
        .map(obj)
        .filter((t): t is Props => t?.type === 'datadog');
      if (triggers.length === 0) continue;
      const fallback = obj(at(o.props, 'spec.fallback'));
      const min = num(at(o.props, 'spec.minReplicaCount')) ?? 0;
      const threshold = num(fallback?.failureThreshold);
      const replicas = num(fallback?.replicas);
      if (!fallback || threshold === undefined || threshold < 1 || replicas === undefined || replicas < min) {
        reportViolation(
          `${where(o)} has a datadog trigger but its fallback is ${JSON.stringify(fallback ?? null)}; ` +
            `set spec.fallback { failureThreshold: >= 1, replicas: >= minReplicaCount (${min}) }.`,
          o.r.urn,
        );
      }
      for (const t of triggers) {
        if (str(at(t, 'metadata.metricUnavailableValue')) === undefined) {
          reportViolation(
            `${where(o)}: its datadog trigger has no metricUnavailableValue; set it (e.g. '0') so an empty series is a value, not an error.`,
            o.r.urn,
          );
        }
        const name = str(at(t, 'metadata.datadogMetricName'));
        if (name === undefined) continue;
        const namespace = str(at(t, 'metadata.datadogMetricNamespace')) ?? o.namespace;
        const metric = objects.find(
          (m) =>
            m.kind === 'DatadogMetric' &&
            m.region === o.region &&
            m.namespace === namespace &&
            m.name === name,
        );
        const query = metric ? (str(at(metric.props, 'spec.query')) ?? '') : undefined;
        if (query === undefined || !/^default_zero\(.*\)$/.test(query.trim())) {
          reportViolation(
            `${where(o)} reads DatadogMetric '${namespace}/${name}', ` +
              (query === undefined
                ? 'which is not in this stack in its region; declare it.'
                : `whose query '${query}' is not wrapped in default_zero(...); an empty series makes the ScaledObject not Ready.`),
            o.r.urn,
          );
        }
      }
    }
  },
};
