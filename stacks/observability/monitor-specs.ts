import { RegionSite } from '../config/load';
import { clusterName, physicalNames, WorkloadName } from '../naming';
import { heartbeatIntervalMonitor } from './heartbeat-monitor';
import {
  atMaxReplicasThresholds,
  dlqDepthThresholds,
  errorRateThresholds,
  iteratorAgeThresholds,
  kedaScalerErrorThresholds,
  latencyThresholds,
  oldestMessageThresholds,
  replicationLatencyThresholds,
  Thresholds,
} from './thresholds';

/** What the monitors of one environment are derived from: names, targets and objectives, all plain data. */
export interface MonitorPlanInput {
  readonly environment: string;
  /** The regions, primary first; every region gets the same set of monitors. */
  readonly sites: readonly Pick<RegionSite, 'role' | 'region'>[];
  readonly targets: { readonly p99LatencyMs: number };
  readonly dr: { readonly rpoSeconds: number };
  readonly messaging: { readonly maxReceiveCount: number; readonly consumerProcessingSeconds: number };
  /** The Kubernetes namespace of the scoring workloads. */
  readonly namespace: string;
}

/** The comparator a monitor query ends with. */
export type Comparator = '>' | '>=';

/** One Datadog monitor, before it is a resource: everything a test or a reader needs to check it. */
export interface MonitorSpec {
  /** Stable key, unique within the environment: `<kind>[-<subject>]-<region>`; the Pulumi name derives from it. */
  readonly key: string;
  /** What it watches, e.g. `latency`, `replication-latency`. */
  readonly kind: string;
  readonly region: string;
  readonly role: 'primary' | 'dr';
  /** The Datadog `service` tag. */
  readonly service: WorkloadName | 'risk-platform';
  readonly title: string;
  /** The monitor query, ending with `<comparator> <critical>`. */
  readonly query: string;
  readonly thresholds: Thresholds;
  /** The section of `docs/RUNBOOK.md` that tells on-call what to do. */
  readonly runbookAnchor: string;
  /**
   * The Datadog monitor type.
   * @default 'query alert'
   */
  readonly type?: 'query alert' | 'event-v2 alert';
  /**
   * Seconds Datadog waits before it evaluates a window: set on monitors of CloudWatch metrics, which
   * the AWS integration's crawler delivers late ({@link cloudMetricEvaluationDelaySeconds}); 0 where
   * stated explicitly for an agent metric (the heartbeat interval).
   * @default - none (agent and APM metrics arrive within seconds)
   */
  readonly evaluationDelaySeconds?: number;
  /**
   * Alert when the metric stops reporting for this many minutes (the RPO monitors: silence is not health).
   * @default - no no-data alert
   */
  readonly noDataMinutes?: number;
}

/**
 * The AWS integration's crawler: CloudWatch metrics are polled every 10 minutes by default. A metric
 * published each minute is available in CloudWatch after about 2 minutes, and queueing and API limits
 * add up to 5 more (Datadog "Cloud Metric Delay" guide), so a point reaches Datadog up to
 * crawl + 2 + 5 minutes after its timestamp.
 * @see https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/
 */
export const AWS_CRAWL = {
  intervalSeconds: 600,
  oneMinuteMetricAvailabilitySeconds: 120,
  queueingSeconds: 300,
} as const;

/**
 * The evaluation delay of a monitor on a 1-minute CloudWatch metric: the longest a point takes to
 * reach Datadog, so a window is evaluated only once all its points have arrived (without it, the last
 * minutes of every window are empty and the monitor alerts late or never).
 */
export function cloudMetricEvaluationDelaySeconds(crawl: typeof AWS_CRAWL = AWS_CRAWL): number {
  if (!(crawl.intervalSeconds > 0))
    throw new Error(`'intervalSeconds' (${crawl.intervalSeconds}) must be > 0`);
  return crawl.intervalSeconds + crawl.oneMinuteMetricAvailabilitySeconds + crawl.queueingSeconds;
}

/**
 * The no-data window of a crawled RPO monitor: two crawls, so one late or lost crawl does not page,
 * and at least twice the evaluation window (Datadog's guidance for no-data timeframes).
 */
export function cloudMetricNoDataMinutes(windowMinutes: number, crawl: typeof AWS_CRAWL = AWS_CRAWL): number {
  return Math.max(2 * windowMinutes, Math.ceil((2 * crawl.intervalSeconds) / 60));
}

/** Options of a monitor on a crawled CloudWatch metric; `rpo` adds the no-data alert. */
function crawled(
  windowMinutes: number,
  rpo: boolean,
): Pick<MonitorSpec, 'evaluationDelaySeconds' | 'noDataMinutes'> {
  return {
    evaluationDelaySeconds: cloudMetricEvaluationDelaySeconds(),
    ...(rpo ? { noDataMinutes: cloudMetricNoDataMinutes(windowMinutes) } : {}),
  };
}

/** Datadog's `service` tag for resources that belong to the platform rather than one workload. */
export const PLATFORM_SERVICE = 'risk-platform';

/** The APM metric of the scoring API's HTTP requests (seconds; `.hits` and `.errors` are counts). */
export const SCORING_REQUEST_METRIC = 'trace.http.request';

/** Formats a threshold for a query: plain decimal, no exponent. */
export function formatNumber(value: number): string {
  return String(value);
}

/** A Datadog tag scope, `{k:v,k:v}`, from ordered pairs. */
export function scope(tags: Readonly<Record<string, string>>): string {
  return `{${Object.entries(tags)
    .map(([k, v]) => `${k}:${v}`)
    .join(',')}}`;
}

function threshold(query: string, comparator: Comparator, thresholds: Thresholds): string {
  return `${query} ${comparator} ${formatNumber(thresholds.critical)}`;
}

/** The APM scope of the scoring API in one region's cluster (unified service tagging: env, service). */
export function scoringScope(environment: string, region: string): string {
  return scope({
    env: environment,
    service: 'scoring-api',
    kube_cluster_name: clusterName(environment, region),
  });
}

/** The Datadog monitors of one region of an environment, derived from names and targets. */
export function regionMonitorSpecs(
  input: MonitorPlanInput,
  site: Pick<RegionSite, 'role' | 'region'>,
): MonitorSpec[] {
  const env = input.environment;
  const names = physicalNames(env);
  const { region, role } = site;
  const cluster = clusterName(env, region);
  const specs: MonitorSpec[] = [];
  const add = (s: Omit<MonitorSpec, 'region' | 'role'>) => specs.push({ ...s, region, role });

  const latency = latencyThresholds(input.targets);
  add({
    key: `latency-${region}`,
    kind: 'latency',
    service: 'scoring-api',
    title: `scoring-api p99 latency above ${input.targets.p99LatencyMs} ms`,
    query: threshold(
      `percentile(last_5m):p99:${SCORING_REQUEST_METRIC}${scoringScope(env, region)}`,
      '>',
      latency,
    ),
    thresholds: latency,
    runbookAnchor: 'scoring-latency',
  });

  const errors = errorRateThresholds();
  const s = scoringScope(env, region);
  add({
    key: `error-rate-${region}`,
    kind: 'error-rate',
    service: 'scoring-api',
    title: `scoring-api error rate above ${errors.critical * 100} %`,
    query: threshold(
      `sum(last_5m):sum:${SCORING_REQUEST_METRIC}.errors${s}.as_count() / sum:${SCORING_REQUEST_METRIC}.hits${s}.as_count()`,
      '>',
      errors,
    ),
    thresholds: errors,
    runbookAnchor: 'scoring-errors',
  });

  const lag = iteratorAgeThresholds(input.dr);
  add({
    key: `iterator-age-${region}`,
    kind: 'iterator-age',
    service: 'stream-scorer',
    title: `stream-scorer behind ${names.stream} by more than the RPO (${input.dr.rpoSeconds} s)`,
    // The stream scorer is an enhanced fan-out consumer: its lag is MillisBehindLatest, per consumer.
    query: threshold(
      `max(last_5m):max:aws.kinesis.subscribe_to_shard_event_millis_behind_latest${scope({
        region,
        streamname: names.stream,
        consumername: names.streamScorerConsumer,
      })}`,
      '>',
      lag,
    ),
    thresholds: lag,
    runbookAnchor: 'stream-lag',
    // The consumer's lag is RPO evidence, and an enhanced fan-out subscription reports it even idle.
    ...crawled(5, true),
  });

  const replication = replicationLatencyThresholds(input.dr);
  for (const other of input.sites.filter((o) => o.region !== region)) {
    for (const table of [names.featuresTable, names.decisionsTable, names.controlTable]) {
      add({
        key: `replication-latency-${table}-${region}-to-${other.region}`,
        kind: 'replication-latency',
        service: PLATFORM_SERVICE,
        title: `${table} replication ${region} -> ${other.region} above the RPO (${input.dr.rpoSeconds} s)`,
        query: threshold(
          `max(last_5m):max:aws.dynamodb.replication_latency${scope({ region, tablename: table, receivingregion: other.region })}`,
          '>',
          replication,
        ),
        thresholds: replication,
        runbookAnchor: 'replication-latency',
        // Only the control table replicates every second in both directions (the heartbeat writers);
        // features and decisions are written in the active region only, so the standby's outbound
        // series is empty by design and a no-data alert there would page forever.
        ...crawled(5, table === names.controlTable),
      });
    }
  }

  // The replication heartbeat writer's measured interval (DogStatsD: no crawl, no delay).
  add(heartbeatIntervalMonitor(env, site, input.dr, scope));

  const queues = [
    { queue: names.caseReviewQueue, dlq: names.caseReviewDlq, service: PLATFORM_SERVICE },
    { queue: names.modelFeedbackQueue, dlq: names.modelFeedbackDlq, service: 'feedback-worker' },
  ] as const;
  const dlq = dlqDepthThresholds();
  const oldest = oldestMessageThresholds(input.messaging);
  for (const q of queues) {
    add({
      key: `dlq-depth-${q.dlq}-${region}`,
      kind: 'dlq-depth',
      service: q.service,
      title: `messages on the dead-letter queue ${q.dlq}`,
      query: threshold(
        `max(last_5m):max:aws.sqs.approximate_number_of_messages_visible${scope({ region, queuename: q.dlq })}`,
        '>',
        dlq,
      ),
      thresholds: dlq,
      runbookAnchor: 'dead-letter-queues',
      ...crawled(5, false),
    });
    add({
      key: `oldest-message-${q.queue}-${region}`,
      kind: 'oldest-message',
      service: q.service,
      title: `oldest message on ${q.queue} older than ${oldest.critical} s`,
      query: threshold(
        `max(last_10m):max:aws.sqs.approximate_age_of_oldest_message${scope({ region, queuename: q.queue })}`,
        '>',
        oldest,
      ),
      thresholds: oldest,
      runbookAnchor: 'queue-backlog',
      ...crawled(10, false),
    });
  }

  const atMax = atMaxReplicasThresholds();
  const k8s = scope({ kube_cluster_name: cluster, kube_namespace: input.namespace });
  add({
    key: `hpa-at-max-${region}`,
    kind: 'hpa-at-max',
    service: PLATFORM_SERVICE,
    title: `an autoscaler in ${cluster}/${input.namespace} is at its maximum replicas`,
    // KEDA drives its workloads through HPAs too (keda-hpa-<scaledobject>): one multi-alert covers all three.
    query: threshold(
      `max(last_15m):max:kubernetes_state.hpa.current_replicas${k8s} by {horizontalpodautoscaler} - ` +
        `max:kubernetes_state.hpa.max_replicas${k8s} by {horizontalpodautoscaler}`,
      '>=',
      atMax,
    ),
    thresholds: atMax,
    runbookAnchor: 'autoscaling',
  });

  const keda = kedaScalerErrorThresholds();
  add({
    key: `keda-scaler-errors-${region}`,
    kind: 'keda-scaler-errors',
    service: PLATFORM_SERVICE,
    title: `KEDA scaler errors in ${cluster}/${input.namespace}`,
    query: threshold(
      `sum(last_10m):sum:keda.scaler.errors.count${scope({ kube_cluster_name: cluster, namespace: input.namespace })} by {scaledobject}.as_count()`,
      '>',
      keda,
    ),
    thresholds: keda,
    runbookAnchor: 'autoscaling',
  });

  // KEDA records a `KEDAScalerFailed` Kubernetes event on the ScaledObject whenever a scaler errors
  // (e.g. the datadog trigger after its bound token expires, kedacore/keda#8112); the cluster agent
  // forwards Kubernetes events (datadog chart `datadog.collectEvents`, default true).
  const failed = kedaScalerErrorThresholds();
  add({
    key: `keda-scaler-failed-${region}`,
    kind: 'keda-scaler-failed',
    service: PLATFORM_SERVICE,
    title: `KEDAScalerFailed events in ${cluster}/${input.namespace}`,
    type: 'event-v2 alert',
    query: threshold(
      `events("source:kubernetes KEDAScalerFailed kube_cluster_name:${cluster} kube_namespace:${input.namespace}").rollup("count").by("kube_cluster_name").last("10m")`,
      '>',
      failed,
    ),
    thresholds: failed,
    runbookAnchor: 'autoscaling',
  });
  return specs;
}

/** Every monitor of an environment: the same set per region, primary first. */
export function monitorSpecs(input: MonitorPlanInput): MonitorSpec[] {
  const keys = new Set<string>();
  const specs = input.sites.flatMap((site) => regionMonitorSpecs(input, site));
  for (const spec of specs) {
    if (keys.has(spec.key))
      throw new Error(`monitor key '${spec.key}' is derived twice; expected unique keys`);
    keys.add(spec.key);
  }
  return specs;
}
