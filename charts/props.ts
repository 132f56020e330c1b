import { InvalidArgumentError } from '../stacks/errors';
import { datadogVersion, isLabelValue } from './datadog-tagging';
/**
 * The plain-data input of the workload charts, and its validation.
 *
 * The Pulumi program builds these props from the stack config, the capacity model and the
 * data-plane outputs of one region, and calls {@link synthesizeWorkloads} with them. Nothing here
 * reads the environment or Pulumi config.
 */

/** Replica bounds of one workload's autoscaler in one region. */
export interface Bounds {
  /** The autoscaler minimum in this region (in the standby region: the warm-standby minimum). */
  readonly minReplicas: number;
  /** The autoscaler maximum in this region. */
  readonly maxReplicas: number;
  /**
   * The minimum with the region at full capacity (primary's sizing), recorded on the autoscaler so
   * the DR runbook knows what to restore on failover.
   *
   * @default - `minReplicas` (the region already runs at full capacity)
   * Note: only meaningful when the region is not `active`; in the active region it must equal
   * `minReplicas`.
   */
  readonly fullMinReplicas?: number;
}

export type RegionRole = 'primary' | 'dr';

/** The workloads a launch window pre-scales, by their key in `WorkloadsProps.bounds`. */
export type PrescaledWorkload = 'scoringApi' | 'streamScorer' | 'feedbackWorker';

/**
 * One announced launch window (issue 12, stacks/prescale.ts): each listed workload's ScaledObject gets
 * a KEDA `cron` trigger named `prescale-<name>` holding `replicas` from `start` to `end` (KEDA cron
 * syntax, five fields) in `timezone`.
 */
export interface PrescaleWindowProps {
  readonly name: string;
  readonly timezone: string;
  readonly start: string;
  readonly end: string;
  /** desiredReplicas per workload; a workload left out gets no trigger. */
  readonly replicas: Readonly<Partial<Record<PrescaledWorkload, number>>>;
}

/** Where a load balancer lives: `internal` (private subnets) or `internet-facing` (public subnets). */
export type LoadBalancerScheme = 'internal' | 'internet-facing';

/**
 * How the scoring API is published in one region: an NLB (AWS Load Balancer Controller) terminating
 * TLS, and the regional DNS name external-dns points at it.
 */
export interface ScoringEndpointProps {
  /**
   * The regional name, e.g. `score-us-west-2.risk.example.com`: pass `regionalEndpointName()` from
   * stacks/traffic/dns.ts, the name the failover record points at.
   */
  readonly hostname: string;
  /**
   * The ACM certificate (in this region) the NLB's TLS listener presents; it must cover `hostname`
   * and the failover name (`score.<zone>`), since callers connect through the failover record.
   */
  readonly certificateArn: string;
  /**
   * The NLB scheme. Internal: the checkout services call the API from peered VPCs, never from the
   * internet.
   *
   * @default 'internal'
   * Note: when `internet-facing`, the NLB lives in the public subnets: `ingressCidrs` must list them.
   */
  readonly scheme?: LoadBalancerScheme;
  /**
   * Client CIDRs the NLB's security group admits (`spec.loadBalancerSourceRanges`). The controller's
   * default for an internal NLB is the VPC CIDR only, which would shut out the peered callers.
   *
   * @default ['10.0.0.0/8']
   */
  readonly sourceRanges?: readonly string[];
  /**
   * The subnets (IDs, or `Name` tags) the NLB is placed in, one per AZ
   * (`service.beta.kubernetes.io/aws-load-balancer-subnets`): the small load-balancer subnets, whose
   * CIDRs are `ingressCidrs`. Without it the controller picks subnets by their role tag.
   *
   * @default - the controller's subnet discovery (`kubernetes.io/role/internal-elb` or `/elb`)
   * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#subnets
   */
  readonly subnets?: readonly string[];
}

/** The input of {@link synthesizeWorkloads}: one region of one environment. */
export interface WorkloadsProps {
  /** The environment name, e.g. `prod`. */
  readonly environment: string;
  /** The AWS region the cluster runs in, e.g. `us-east-1`. */
  readonly region: string;
  /** Whether the region is the primary or the DR region (its role; it does not change on failover). */
  readonly role: RegionRole;
  /**
   * Whether this region serves traffic (the environment's `dr.activeRegion`): it runs its full
   * minimums; otherwise it runs warm standby and records the full minimums for the runbook.
   *
   * @default - `role === 'primary'`
   */
  readonly active?: boolean;
  /** The namespace all scoring workloads run in, e.g. `risk-scoring`. */
  readonly namespace: string;
  /** The fraud model version served, published in every workload's ConfigMap. */
  readonly modelVersion: string;
  /** Container images, pinned by digest (`repo@sha256:<64 hex>`) or an immutable tag (`repo:1.2.3`). */
  readonly images: {
    readonly scoringApi: string;
    readonly streamScorer: string;
    readonly feedbackWorker: string;
    /**
     * The Node.js 22 image the replication heartbeat writer's bundle runs in (config
     * `workloads.images.replicationHeartbeat`).
     *
     * @default - `REPLICATION_HEARTBEAT_DEFAULT_IMAGE` (charts/replication-heartbeat.ts)
     */
    readonly replicationHeartbeat?: string;
  };
  /**
   * The replication heartbeat writer's schedule and peer: `intervalSeconds` from the RPO
   * (`heartbeatIntervalSeconds(dr.rpoSeconds)`, stacks/capacity.ts), and the environment's other region,
   * whose heartbeat it observes (inbound replication lag, see charts/replication-heartbeat.ts).
   */
  readonly replicationHeartbeat: { readonly intervalSeconds: number; readonly peerRegion: string };
  /** The region's data-plane names (data-plane outputs). */
  readonly names: {
    readonly stream: string;
    readonly streamArn: string;
    readonly featuresTable: string;
    readonly decisionsTable: string;
    readonly controlTable: string;
    readonly decisionsTopicArn: string;
    readonly caseReviewQueueUrl: string;
    readonly modelFeedbackQueueUrl: string;
    readonly modelFeedbackQueueName: string;
    /** The stream scorer's enhanced fan-out consumer (registered by the data plane; KCL must not register its own). */
    readonly streamConsumerName: string;
    readonly streamConsumerArn: string;
    /** The stream scorer's shard-lease table in this region (pre-created; KCL must not create it). */
    readonly streamScorerLeaseTable: string;
    /** The CloudWatch namespace of the stream scorer's consumer metrics (its role may publish only there). */
    readonly streamScorerMetricsNamespace: string;
  };
  /**
   * The IAM roles KEDA's TriggerAuthentications assume: each KEDA-scaled workload's read-only scaler
   * role (`<env>-risk-<workload>-scaler`, see `keda.ts`), not the role its pods run as.
   */
  readonly roleArns: { readonly streamScorer: string; readonly feedbackWorker: string };
  /** The stream's shard count (ON_DEMAND: the capacity model's equivalent). Caps the stream scorer. */
  readonly shardCount: number;
  /** Autoscaler bounds per workload, already this region's values (standby passes the standby minimums). */
  /**
   * Announced launch windows: a KEDA `cron` trigger per window on each listed workload.
   * @default - none (reactive autoscaling only)
   */
  readonly prescale?: readonly PrescaleWindowProps[];
  readonly bounds: {
    readonly scoringApi: Bounds;
    readonly streamScorer: Bounds;
    readonly feedbackWorker: Bounds;
  };
  /** The scoring latency SLO in milliseconds, published in the ConfigMap. */
  readonly scoringLatencySloMs: number;
  /**
   * The request rate one scoring-api pod should carry (requests/s): the HPA's AverageValue target
   * on the request-rate metric. From the capacity model (measured per-pod throughput x utilization).
   */
  readonly scoringApiTargetRpsPerPod: number;
  /**
   * The record rate one stream-scorer pod should carry (records/s): the AverageValue target of its
   * autoscaler on the stream's incoming records. From the capacity model.
   */
  readonly streamScorerTargetRecordsPerSecPerPod: number;
  /**
   * The EKS cluster name, which scopes the Datadog request-rate query (`kube_cluster_name` tag).
   *
   * @default - `${environment}-risk-${region}` (stacks/naming `clusterName`)
   */
  readonly clusterName?: string;
  /**
   * Visible messages per feedback-worker replica (the KEDA `aws-sqs-queue` `queueLength` target).
   *
   * @default 50
   */
  readonly feedbackQueueLengthPerReplica?: number;
  /**
   * CIDRs of the VPC interface endpoints the pods reach over HTTPS (AWS APIs).
   *
   * @default ['10.0.0.0/8']
   * Note: a DynamoDB *gateway* endpoint routes to public prefix-list IPs, not to the VPC: add those
   * CIDRs here, or use the DynamoDB interface endpoint.
   */
  readonly awsApiCidrs?: readonly string[];
  /** How the scoring API is published in this region (NLB + regional DNS name). */
  readonly scoringEndpoint: ScoringEndpointProps;
  /**
   * CIDRs allowed to reach the scoring API on 8080 and its health checks on the admin port: the
   * subnets the NLB's nodes live in. With IP targets over TCP/TLS the NLB does not preserve client
   * IPs (the target group's `preserve_client_ip.enabled` is false), so pods see the NLB's own
   * private addresses, never the callers'.
   *
   * @default ['10.0.0.0/8']
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
   */
  readonly ingressCidrs?: readonly string[];
  /**
   * The Kubernetes minor version of the cluster, pinned in the namespace's Pod Security labels.
   *
   * @default '1.33'
   */
  readonly kubernetesVersion?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const IMAGE = /^[a-z0-9][a-z0-9._\-/:]*(@sha256:[a-f0-9]{64}|:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const MINOR_VERSION = /^1\.\d{2}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9_-]+$/;

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

const isCidr = (v: string): boolean => {
  const m = CIDR.exec(v);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};

/**
 * Checks one workload's bounds; returns the problems, each naming the field, the value and the
 * expectation in cdk8s-plus style.
 */
export function boundsProblems(field: string, b: Bounds, active: boolean): string[] {
  const problems: string[] = [];
  const min = `'${field}.minReplicas'`;
  const max = `'${field}.maxReplicas'`;
  const full = `'${field}.fullMinReplicas'`;
  if (!isPositiveInt(b.minReplicas)) {
    problems.push(`${min} (${show(b.minReplicas)}) must be an integer greater than or equal to 1`);
  }
  if (!isPositiveInt(b.maxReplicas)) {
    problems.push(`${max} (${show(b.maxReplicas)}) must be an integer greater than or equal to 1`);
  }
  if (problems.length === 0 && b.minReplicas > b.maxReplicas) {
    problems.push(`${min} (${b.minReplicas}) must be less than or equal to ${max} (${b.maxReplicas})`);
  }
  if (b.fullMinReplicas !== undefined && problems.length === 0) {
    if (!isPositiveInt(b.fullMinReplicas)) {
      problems.push(`${full} (${show(b.fullMinReplicas)}) must be an integer greater than or equal to 1`);
    } else if (active && b.fullMinReplicas !== b.minReplicas) {
      problems.push(
        `${full} (${b.fullMinReplicas}) must equal ${min} (${b.minReplicas}) when 'active' is true`,
      );
    } else if (b.fullMinReplicas < b.minReplicas) {
      problems.push(
        `${full} (${b.fullMinReplicas}) must be greater than or equal to ${min} (${b.minReplicas})`,
      );
    } else if (b.fullMinReplicas > b.maxReplicas) {
      problems.push(`${full} (${b.fullMinReplicas}) must be less than or equal to ${max} (${b.maxReplicas})`);
    }
  }
  return problems;
}

/** Whether the region serves traffic: `active`, by default the primary region. */
export function isActive(props: Pick<WorkloadsProps, 'role' | 'active'>): boolean {
  return props.active ?? props.role === 'primary';
}

/** Checks an image reference: pinned by digest or by a tag other than `latest`. */
export function imageProblems(field: string, image: unknown): string[] {
  if (typeof image !== 'string' || !IMAGE.test(image) || /:latest$/.test(image)) {
    return [
      `'${field}' (${show(image)}) must be pinned by digest (repo@sha256:<64 hex>) or an immutable tag other than 'latest' (repo:1.2.3)`,
    ];
  }
  return [];
}

/**
 * Validates the props before anything is built. Throws one Error whose message lists every
 * problem, one a line, each naming the field, the value received and what was expected.
 */
export function validateWorkloadsProps(props: WorkloadsProps): void {
  const problems: string[] = [];
  const nonEmpty = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v.trim() === '')
      problems.push(`'${field}' (${show(v)}) must be a non-empty string`);
  };
  const positive = (field: string, v: unknown, what: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      problems.push(`'${field}' (${show(v)}) must be ${what}`);
  };

  if (typeof props.environment !== 'string' || !DNS_LABEL.test(props.environment)) {
    problems.push(`'environment' (${show(props.environment)}) must be a DNS-1123 label such as prod`);
  }
  if (typeof props.region !== 'string' || !REGION.test(props.region)) {
    problems.push(`'region' (${show(props.region)}) must be an AWS region such as us-east-1`);
  }
  if (props.role !== 'primary' && props.role !== 'dr') {
    problems.push(`'role' (${show(props.role)}) must be one of primary, dr`);
  }
  if (props.active !== undefined && typeof props.active !== 'boolean') {
    problems.push(`'active' (${show(props.active)}) must be true or false`);
  }
  if (typeof props.namespace !== 'string' || !DNS_LABEL.test(props.namespace)) {
    problems.push(`'namespace' (${show(props.namespace)}) must be a DNS-1123 label such as risk-scoring`);
  }
  nonEmpty('modelVersion', props.modelVersion);
  for (const key of ['scoringApi', 'streamScorer', 'feedbackWorker'] as const) {
    const image = props.images?.[key];
    problems.push(...imageProblems(`images.${key}`, image));
    // The Datadog `version` tag is a pod label: it must be a label value (see datadogVersion).
    if (
      typeof props.modelVersion === 'string' &&
      props.modelVersion.trim() !== '' &&
      typeof image === 'string'
    ) {
      const version = datadogVersion(props.modelVersion, image);
      if (!isLabelValue(version)) {
        problems.push(
          `'modelVersion' (${show(props.modelVersion)}) with 'images.${key}' makes the Datadog version ${show(version)}, which must be a Kubernetes label value (at most 63 characters: letters, digits, '-', '_', '.', alphanumeric at both ends)`,
        );
      }
    }
  }
  if (props.images?.replicationHeartbeat !== undefined) {
    problems.push(...imageProblems('images.replicationHeartbeat', props.images.replicationHeartbeat));
  }
  for (const [key, value] of Object.entries(props.names ?? {})) nonEmpty(`names.${key}`, value);
  for (const key of ['streamScorer', 'feedbackWorker'] as const) {
    const arn = props.roleArns?.[key];
    if (typeof arn !== 'string' || !ROLE_ARN.test(arn)) {
      problems.push(
        `'roleArns.${key}' (${show(arn)}) must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    }
  }
  if (!isPositiveInt(props.shardCount)) {
    problems.push(`'shardCount' (${show(props.shardCount)}) must be an integer greater than or equal to 1`);
  }
  for (const key of ['scoringApi', 'streamScorer', 'feedbackWorker'] as const) {
    problems.push(...boundsProblems(`bounds.${key}`, props.bounds[key], isActive(props)));
  }
  const scorerMax = props.bounds.streamScorer.maxReplicas;
  if (isPositiveInt(props.shardCount) && isPositiveInt(scorerMax) && scorerMax > props.shardCount) {
    problems.push(
      `'bounds.streamScorer.maxReplicas' (${scorerMax}) must be less than or equal to 'shardCount' (${props.shardCount})`,
    );
  }
  positive('scoringLatencySloMs', props.scoringLatencySloMs, 'a positive number of milliseconds');
  positive('scoringApiTargetRpsPerPod', props.scoringApiTargetRpsPerPod, 'a positive number of requests/s');
  positive(
    'streamScorerTargetRecordsPerSecPerPod',
    props.streamScorerTargetRecordsPerSecPerPod,
    'a positive number of records/s',
  );
  if (props.clusterName !== undefined) nonEmpty('clusterName', props.clusterName);
  if (
    props.feedbackQueueLengthPerReplica !== undefined &&
    !isPositiveInt(props.feedbackQueueLengthPerReplica)
  ) {
    problems.push(
      `'feedbackQueueLengthPerReplica' (${show(props.feedbackQueueLengthPerReplica)}) must be an integer greater than or equal to 1`,
    );
  }
  const endpoint = props.scoringEndpoint;
  if (typeof endpoint?.hostname !== 'string' || !HOSTNAME.test(endpoint.hostname)) {
    problems.push(
      `'scoringEndpoint.hostname' (${show(endpoint?.hostname)}) must be a fully-qualified DNS name such as score-us-west-2.risk.example.com`,
    );
  }
  if (typeof endpoint?.certificateArn !== 'string' || !ACM_ARN.test(endpoint.certificateArn)) {
    problems.push(
      `'scoringEndpoint.certificateArn' (${show(endpoint?.certificateArn)}) must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
    );
  }
  if (
    endpoint?.scheme !== undefined &&
    endpoint.scheme !== 'internal' &&
    endpoint.scheme !== 'internet-facing'
  ) {
    problems.push(
      `'scoringEndpoint.scheme' (${show(endpoint.scheme)}) must be one of internal, internet-facing`,
    );
  }
  endpoint?.subnets?.forEach((subnet, i) => {
    if (typeof subnet !== 'string' || !/^[^,\s]+$/.test(subnet)) {
      problems.push(
        `'scoringEndpoint.subnets[${i}]' (${show(subnet)}) must be a subnet ID or Name tag without commas or spaces, such as subnet-0abc1234`,
      );
    }
  });
  if (endpoint?.subnets?.length === 0) {
    problems.push(`'scoringEndpoint.subnets' ([]) must list at least one subnet, or be omitted`);
  }
  const cidrLists = {
    awsApiCidrs: props.awsApiCidrs,
    ingressCidrs: props.ingressCidrs,
    'scoringEndpoint.sourceRanges': endpoint?.sourceRanges,
  };
  for (const [key, cidrs] of Object.entries(cidrLists)) {
    if (cidrs === undefined) continue;
    if (cidrs.length === 0) problems.push(`'${key}' ([]) must list at least one CIDR`);
    cidrs.forEach((c, i) => {
      if (!isCidr(c)) problems.push(`'${key}[${i}]' (${show(c)}) must be an IPv4 CIDR such as 10.0.0.0/8`);
    });
  }
  if (props.kubernetesVersion !== undefined && !MINOR_VERSION.test(props.kubernetesVersion)) {
    problems.push(
      `'kubernetesVersion' (${show(props.kubernetesVersion)}) must be a Kubernetes minor version such as 1.33`,
    );
  }
  problems.push(...prescaleProblems(props));
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('\n'));
}

/**
 * Checks the launch windows: a name, distinct start and end (KEDA refuses equal ones), and each
 * desiredReplicas an integer between 1 and the workload's maxReplicas (a cron floor above the maximum
 * is clamped by the HPA and would promise capacity that never comes).
 */
export function prescaleProblems(props: Pick<WorkloadsProps, 'prescale' | 'bounds'>): string[] {
  const problems: string[] = [];
  (props.prescale ?? []).forEach((w, i) => {
    const f = `prescale[${i}]`;
    if (typeof w.name !== 'string' || !DNS_LABEL.test(w.name))
      problems.push(`'${f}.name' (${show(w.name)}) must be a DNS-1123 label such as weekly-release`);
    if (typeof w.start !== 'string' || w.start.trim().split(/\s+/).length !== 5)
      problems.push(`'${f}.start' (${show(w.start)}) must be a five-field cron such as '30 9 * * TUE'`);
    else if (w.start === w.end) problems.push(`'${f}.end' (${show(w.end)}) must differ from '${f}.start'`);
    if (typeof w.end !== 'string' || w.end.trim().split(/\s+/).length !== 5)
      problems.push(`'${f}.end' (${show(w.end)}) must be a five-field cron such as '0 12 * * TUE'`);
    for (const [key, n] of Object.entries(w.replicas) as [PrescaledWorkload, number][]) {
      const max = props.bounds[key]?.maxReplicas;
      if (!isPositiveInt(n) || (max !== undefined && n > max))
        problems.push(
          `'${f}.replicas.${key}' (${show(n)}) must be an integer between 1 and 'bounds.${key}.maxReplicas' (${max})`,
        );
    }
  });
  return problems;
}
