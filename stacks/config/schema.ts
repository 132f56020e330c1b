import { z } from 'zod';
import { imageRefProblem } from '../compute/images';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../compute/versions';
import { canaryRegionProblem, observabilityExtensions } from './observability-schema';
import { arcClusterSchema } from './arc-cluster-schema';
import { azIdProblem } from './zones';
import { LAUNCH_WINDOW_DEFAULTS, launchWindowProblems } from '../launch-windows';

/**
 * The schema of an environment's stack configuration (`environments/Pulumi.<env>.yaml`).
 *
 * Every key lives under the project namespace (`risk-platform:<key>`); provider keys
 * (`aws:region`, `datadog:apiKey`, ...) are checked where the program needs them.
 * Parsed once, at program start, by {@link ./load.ts}; components only ever see the
 * resulting {@link EnvironmentConfig}.
 */

/** AWS commercial regions this platform may run in. */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-east-1',
  'sa-east-1',
  'me-south-1',
  'me-central-1',
  'af-south-1',
  'il-central-1',
] as const;
export type AwsRegion = (typeof AWS_REGIONS)[number];

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** True for an IPv4 CIDR block such as `10.40.0.0/16` with no host bits set. */
export function isCidr(v: string): boolean {
  const m = CIDR_RE.exec(v);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return false;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  return ip % 2 ** (32 - prefix) === 0;
}

/** An IPv4 CIDR block such as `10.40.0.0/16`, with no host bits set. */
export const cidr = z
  .string()
  .refine(isCidr, { message: 'an IPv4 CIDR block such as 10.40.0.0/16 with no host bits set' });

const positive = (what: string) =>
  z.number({ message: `a number (${what})` }).positive({ message: `a number > 0 (${what})` });
const positiveInt = (what: string) =>
  z
    .number({ message: `an integer (${what})` })
    .int({ message: `an integer (${what})` })
    .positive({ message: `an integer > 0 (${what})` });
const nonEmpty = (what: string) =>
  z.string({ message: `a non-empty string (${what})` }).min(1, { message: `a non-empty string (${what})` });

const region = z.enum(AWS_REGIONS, { message: `an AWS region, one of ${AWS_REGIONS.join(', ')}` });

const regionSite = z.strictObject({
  /** The AWS region. */
  region,
  /** The VPC CIDR of this region; primary and DR must not overlap (they are peered for the runbook's reach). */
  vpcCidr: cidr,
  /**
   * The region's three zones by AZ ID (`usw2-az1`), in slot order: each zone's subnets, NAT gateway and
   * node group are named by its slot (`a`, `b`, `c`: stacks/config/zones.ts `zoneSlot`), and placed with
   * `availabilityZoneId`. An ID is the same physical zone in every account; a name (`us-west-2a`) is not.
   * Each must be `<region prefix>-az<N>` of this region, not a zone EKS refuses for cluster subnets
   * (use1-az3, usw1-az2, cac1-az3), and appear once.
   * Note: the order is part of the resource names: append, never reorder (a moved ID replaces subnets).
   * @see https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
   */
  availabilityZoneIds: z
    .array(z.string({ message: 'an AZ ID such as usw2-az1' }), {
      message: 'a list of exactly 3 AZ IDs such as ["usw2-az1", "usw2-az2", "usw2-az3"]',
    })
    .length(3, {
      message: 'exactly 3 AZ IDs, one per zone (a list such as ["usw2-az1", "usw2-az2", "usw2-az3"])',
    }),
  /** Replaced by `availabilityZoneIds`: refused with a message that says so. */
  availabilityZones: z.unknown().optional(),
});

export const targetsSchema = z.strictObject({
  /** Peak synchronous scoring requests per second, across the platform. */
  peakScoringRps: positive('peak scoring requests per second'),
  /** Peak transactions written to the Kinesis stream per second. */
  peakStreamRecordsPerSec: positive('peak stream records per second'),
  /** Mean size of one stream record in bytes (Kinesis caps records at 1 MiB). */
  meanRecordBytes: positive('mean record size in bytes').max(1048576, {
    message: 'at most 1048576 bytes (Kinesis record limit)',
  }),
  /** Requests per second one scoring-api pod sustains at the latency SLO, from load tests. */
  scoringPodRps: positive('requests per second per scoring-api pod'),
  /** Records per second one stream-scorer pod sustains, from load tests. */
  streamPodRecordsPerSec: positive('records per second per stream-scorer pod'),
  /** Peak messages per second arriving on the model-feedback queue. */
  peakFeedbackMessagesPerSec: positive('peak feedback messages per second'),
  /** Messages per second one feedback-worker pod sustains, from load tests. */
  feedbackPodMessagesPerSec: positive('messages per second per feedback-worker pod'),
  /** Feature-table reads per scoring request (drives provisioned read capacity). */
  featureReadsPerScore: positive('feature reads per scoring request'),
  /** Multiplier applied on top of peak (1.5 = 50 % headroom). */
  headroom: z
    .number({ message: 'a number between 1 and 10 (headroom factor)' })
    .min(1, { message: 'a number between 1 and 10 (headroom factor)' })
    .max(10, { message: 'a number between 1 and 10 (headroom factor)' }),
  /** p99 latency SLO of the scoring API, in milliseconds. */
  p99LatencyMs: positive('p99 latency SLO in milliseconds'),
});

export const drSchema = z.strictObject({
  /** Recovery point objective: the most replication lag a failover may accept, in seconds. */
  rpoSeconds: positive('RPO in seconds'),
  /** Recovery time objective for a full failover, in seconds. */
  rtoSeconds: positive('RTO in seconds'),
  /** DR warm-standby minimums as a fraction of primary's (0 < f <= 1). */
  standbyFraction: z
    .number({ message: 'a number in (0, 1] (standby fraction)' })
    .gt(0, { message: 'a number in (0, 1] (standby fraction)' })
    .max(1, { message: 'a number in (0, 1] (standby fraction)' }),
  /**
   * The region that serves traffic: it runs the full autoscaler minimums, the other region its
   * warm-standby minimums. Set after a failover or failback (the runbook prints the command); the
   * regions' roles (primary = the global tables' home and the default provider) do not change.
   * @default - the primary region
   * Note: only valid when it is one of the environment's two regions (`regions.primary.region`,
   * `regions.dr.region`).
   */
  activeRegion: nonEmpty('an AWS region').optional(),
});

export const tagsSchema = z.strictObject({
  owner: nonEmpty('the owning team'),
  costCentre: nonEmpty('the cost centre'),
  dataClassification: z.enum(['public', 'internal', 'confidential', 'restricted'], {
    message: 'one of public, internal, confidential, restricted',
  }),
});

export const networkSchema = z.strictObject({
  /** `one-per-az` for zonal independence, `single` to save cost where an AZ outage is acceptable. */
  natGateways: z.enum(['one-per-az', 'single'], { message: 'one of one-per-az, single' }),
});

export const streamsSchema = z.strictObject({
  /** `PROVISIONED` sizes shards from the capacity model; `ON_DEMAND` lets Kinesis scale. */
  mode: z.enum(['PROVISIONED', 'ON_DEMAND'], { message: 'one of PROVISIONED, ON_DEMAND' }),
  /** Retention of the transactions stream in hours (24 to 8760). */
  retentionHours: z
    .number({ message: 'an integer between 24 and 8760 (hours)' })
    .int({ message: 'an integer between 24 and 8760 (hours)' })
    .min(24, { message: 'an integer between 24 and 8760 (hours)' })
    .max(8760, { message: 'an integer between 24 and 8760 (hours)' }),
});

export const tablesSchema = z.strictObject({
  /** `PAY_PER_REQUEST`, or `PROVISIONED` with autoscaling sized from the targets. */
  billingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED'], { message: 'one of PAY_PER_REQUEST, PROVISIONED' }),
  /** Deletion protection and retain-on-delete for every table, and Pulumi `protect` on the platform KMS keys. */
  protect: z.boolean({ message: 'true or false' }),
  /** How long scoring decisions are kept before TTL expiry, in days. */
  decisionsTtlDays: positiveInt('days'),
  /**
   * How the scoring path reads features and decisions (the image contract): `EVENTUAL` (the SDKs'
   * default, half a read unit per 4 KB) or `STRONG` (`ConsistentRead: true`, a whole unit). The read
   * capacity is sized from it. The control table is always read strongly (the runbook's fence).
   * @default 'STRONG'
   */
  readConsistency: z.enum(['EVENTUAL', 'STRONG'], { message: 'one of EVENTUAL, STRONG' }).default('STRONG'),
  /**
   * The DynamoDB provisioned-throughput quotas of the account in each of the environment's regions,
   * as granted (Service Quotas). Policy `dynamodb-throughput-quotas` refuses a plan whose autoscaling
   * maximums exceed them.
   * @default - AWS's defaults: 40,000 read and 40,000 write units per table, 80,000 each per account
   *   and region
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
   */
  quotas: z
    .strictObject({
      tableReadUnits: positiveInt('read capacity units per table'),
      tableWriteUnits: positiveInt('write capacity units per table'),
      accountReadUnits: positiveInt('read capacity units per account and region'),
      accountWriteUnits: positiveInt('write capacity units per account and region'),
    })
    .default({
      tableReadUnits: 40000,
      tableWriteUnits: 40000,
      accountReadUnits: 80000,
      accountWriteUnits: 80000,
    }),
});

const RETENTION_DAYS = "an integer between 1 and 13 (days), less than the dead-letter queues' 14 days";

export const messagingSchema = z.strictObject({
  /** Receives before a message moves to the DLQ (1 to 1000). */
  maxReceiveCount: z
    .number({ message: 'an integer between 1 and 1000' })
    .int({ message: 'an integer between 1 and 1000' })
    .min(1, { message: 'an integer between 1 and 1000' })
    .max(1000, { message: 'an integer between 1 and 1000' }),
  /** The slowest consumer's processing time per message, in seconds (visibility timeout is derived above it). */
  consumerProcessingSeconds: positive('seconds'),
  /**
   * How long messages are kept on the source queues, in days (1 to 13). Less than the dead-letter
   * queues' 14 days: a standard queue keeps a message's original enqueue timestamp when it moves to
   * the DLQ, so the DLQ must outlive the source queue or late failures expire from it at once.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
   */
  retentionDays: z
    .number({ message: RETENTION_DAYS })
    .int({ message: RETENTION_DAYS })
    .min(1, { message: RETENTION_DAYS })
    .max(13, { message: RETENTION_DAYS }),
});

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const ADMIN_ROLE_ARN = 'an IAM role ARN such as arn:aws:iam::123456789012:role/risk-platform-deployer';
const ADMIN_ROLE_ARNS =
  'a list of at least one IAM role ARN (the CI deploy role, then e.g. the on-call break-glass role)';

export const clusterSchema = z.strictObject({
  /** EKS Kubernetes version, in AWS standard support. */
  kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS, {
    message: `a Kubernetes version in EKS standard support, one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
  }),
  /** CIDRs allowed to reach the public API endpoint; empty means the endpoint is private only. */
  publicAccessCidrs: z.array(cidr),
  /**
   * CIDRs admitted on 443 to the private API endpoint (the cluster's additional security group): the
   * self-hosted deploy runners (previews, `pulumi up`, drift) and the hosts the on-call runs the DR
   * runbook from, reaching the VPC over peering, Transit Gateway or VPN. The EKS-created cluster
   * security group admits only itself (nodes and control plane), so without this nothing outside the
   * cluster can reach a private-only API.
   * @default [] (nothing beyond the cluster security group)
   * Note: at least one is required when `publicAccessCidrs` is empty (a private-only endpoint).
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
   */
  privateApiAccessCidrs: z
    .array(
      cidr.refine((v) => !v.endsWith('/0'), {
        message: 'the CIDR of the runners (not 0.0.0.0/0: the private endpoint is for named networks)',
      }),
    )
    .default([]),
  /** Instance types for the managed node groups. */
  nodeInstanceTypes: z
    .array(nonEmpty('an EC2 instance type'))
    .min(1, { message: 'at least one instance type' }),
  /** Allocatable vCPU per node, used to size node groups from pod requests. */
  nodeVcpu: positiveInt('vCPU per node'),
  /** Allocatable memory per node in GiB. */
  nodeMemoryGiB: positive('GiB per node'),
  /**
   * IAM roles made cluster admin (EKS access entry + AmazonEKSClusterAdminPolicy) in both regions:
   * the CI deploy role (it must be listed, or `pulumi up` cannot apply the workloads) and the on-call
   * break-glass role.
   */
  adminRoleArns: z
    .array(z.string().regex(IAM_ROLE_ARN, { message: ADMIN_ROLE_ARN }), { message: ADMIN_ROLE_ARNS })
    .min(1, { message: ADMIN_ROLE_ARNS }),
  /**
   * IAM roles given read-only Kubernetes access in both regions (EKS access entry +
   * AmazonEKSAdminViewPolicy, cluster scope): the `<env>-preview` role that PR previews and the nightly
   * `pulumi preview --refresh` assume, which must read every object the program deployed and the Helm
   * release Secrets.
   * @default [] (no viewer access entry)
   */
  viewerRoleArns: z
    .array(
      z.string().regex(IAM_ROLE_ARN, {
        message: 'an IAM role ARN such as arn:aws:iam::123456789012:role/risk-platform-preview',
      }),
    )
    .default([]),
});

/** A configured image: a private repository path (`risk/<name>@sha256:...`), or (with `publicAllowed`) a public image. */
const imageRef = (opts: { readonly publicAllowed: boolean }) =>
  z.string({ message: 'an image reference' }).superRefine((v, ctx) => {
    const problem = imageRefProblem(v, opts);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const workloadsSchema = z.strictObject({
  /** The namespace all scoring workloads run in. */
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'a DNS-1123 label' }),
  /** The fraud model version served, published to the workloads' ConfigMap. */
  modelVersion: nonEmpty('the model version'),
  /**
   * The AWS account of the private ECR registry the `risk/` images live in. Each region's workloads
   * pull `<registryAccountId>.dkr.ecr.<that region>.amazonaws.com/<repository>`.
   * Note: only valid when it is the account the stack deploys to: the program configures that
   * registry's replication to the DR region (checked against the caller identity at preview).
   */
  registryAccountId: z
    .string({ message: 'a 12-digit AWS account ID (the private ECR registry account)' })
    .regex(/^\d{12}$/, { message: 'a 12-digit AWS account ID (the private ECR registry account)' }),
  /**
   * Images by repository path and digest or tag, without a registry host (the host is derived per
   * region, so the DR region never pulls from the primary region's registry).
   */
  images: z.strictObject({
    /** `risk/scoring-api@sha256:<64 hex>` (or an immutable tag). */
    scoringApi: imageRef({ publicAllowed: false }),
    streamScorer: imageRef({ publicAllowed: false }),
    feedbackWorker: imageRef({ publicAllowed: false }),
    /**
     * The replication heartbeat writer's Node.js 22 image: the public one
     * (`public.ecr.aws/docker/library/node:<22.x.y>-bookworm-slim@sha256:<64 hex>`; ECR Public is multi-region, so kept as
     * it is), or a mirror under `risk/`, resolved per region like the others.
     */
    replicationHeartbeat: imageRef({ publicAllowed: true }),
  }),
});

export const trafficSchema = z.strictObject({
  /** The Route 53 hosted zone the scoring API record lives in, e.g. `risk.example.com`. */
  hostedZoneName: z
    .string()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { message: 'a DNS zone name such as risk.example.com' }),
  /** The record name of the scoring API inside the zone, e.g. `score`. */
  recordName: z.string().regex(/^[a-z0-9-]+$/, { message: 'a DNS label such as score' }),
  /**
   * The ARC cluster of the environment's control panel: created here, or shared with another
   * environment of the account (issue 15 finding 28; see ./arc-cluster-schema.ts).
   * @default - `{ create: true }`
   */
  arcCluster: arcClusterSchema(region).optional(),
});

export const observabilitySchema = z.strictObject({
  /** The Datadog site the monitors live in. */
  datadogSite: z.enum(
    ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com'],
    {
      message: 'a Datadog site such as datadoghq.com',
    },
  ),
  /** Where monitors notify, e.g. `@pagerduty-risk-platform`. */
  notify: z.array(z.string().regex(/^@[\w.-]+$/, { message: 'a Datadog handle such as @pagerduty-risk' })),
  // --- issue 13: canary, SLOs, model monitoring, audit (stacks/config/observability-schema.ts) ---
  ...observabilityExtensions(region, cidr),
});

/**
 * Budgets of the capacity simulator (`npm run simulate`, tools/sim): each trace must reach capacity
 * and keep its SLO breach within them; a failover trace's modelled RTO is held to `dr.rtoSeconds`.
 * @default - {@link SIMULATION_DEFAULTS}
 */
export const SIMULATION_DEFAULTS = {
  /** Longest time demand may exceed a workload's or table's capacity, seconds. */
  timeToCapacitySeconds: 120,
  /** Total seconds of demand above capacity per trace and workload. */
  breachSeconds: 120,
  /** `mandatory`: a breach fails the command (exit 1); `advisory`: it is reported only. */
  level: 'mandatory' as 'advisory' | 'mandatory',
};
export const simulationSchema = z.strictObject({
  timeToCapacitySeconds: positive('seconds').optional(),
  breachSeconds: z
    .number({ message: 'a number of seconds >= 0' })
    .nonnegative({ message: 'a number of seconds >= 0' })
    .optional(),
  level: z.enum(['advisory', 'mandatory'], { message: 'one of advisory, mandatory' }).optional(),
});

/**
 * Announced launch windows (issue 12): the platform pre-scales pods (a KEDA `cron` trigger) and table
 * floors (Application Auto Scaling scheduled actions) to `level` x the declared peak from
 * `leadMinutes` before each `launch` until `durationMinutes` after it. See stacks/launch-windows.ts.
 * @default - no windows: reactive autoscaling only
 */
export const launchWindowSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/, {
      message: 'a kebab-case name of at most 32 characters, e.g. weekly-release',
    }),
    /** The announced on-sale time: `minute hour * * days`. */
    launch: z.string({ message: "a cron 'minute hour * * days'" }),
    timezone: z.string({ message: 'an IANA time zone such as America/Los_Angeles' }),
    leadMinutes: z
      .number()
      .int({ message: 'whole minutes >= 5' })
      .min(5, { message: 'whole minutes >= 5 (nodes and table updates need minutes)' })
      .optional(),
    durationMinutes: z
      .number()
      .int({ message: 'whole minutes >= 1' })
      .min(1, { message: 'whole minutes >= 1' }),
    level: z
      .number({ message: 'a fraction of the declared peak in (0, 1]' })
      .gt(0, { message: 'a fraction of the declared peak in (0, 1]' })
      .max(1, {
        message: 'a fraction of the declared peak in (0, 1] (more than the peak exceeds the maximums)',
      })
      .optional(),
  })
  .superRefine((w, ctx) => {
    for (const p of launchWindowProblems({ ...LAUNCH_WINDOW_DEFAULTS, ...w }))
      ctx.addIssue({ code: 'custom', path: [p.key], message: p.message });
  });
export const capacitySchema = z.strictObject({
  launchWindows: z
    .array(launchWindowSchema)
    .max(8, { message: 'at most 8 windows' })
    .superRefine((ws, ctx) => {
      ws.forEach((w, i) => {
        if (ws.findIndex((x) => x.name === w.name) < i)
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `a name not already used (${w.name})` });
      });
    })
    .optional(),
});

/** The project-namespaced keys of the stack config, as parsed. */
export const projectConfigSchema = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS, { message: `one of ${ENVIRONMENTS.join(', ')}` }),
    regions: z.strictObject({ primary: regionSite, dr: regionSite }),
    network: networkSchema,
    targets: targetsSchema,
    dr: drSchema,
    tags: tagsSchema,
    streams: streamsSchema,
    tables: tablesSchema,
    messaging: messagingSchema,
    cluster: clusterSchema,
    workloads: workloadsSchema,
    traffic: trafficSchema,
    observability: observabilitySchema,
    /**
     * Which part of the environment this stack deploys: `global` (IAM roles, the ARC switch, Route 53
     * records and health checks, Datadog) or one of the environment's two regions. Set only in the
     * stack's own file (`environments/Pulumi.<env>-<unit>.yaml`), never in the shared
     * `Pulumi.<env>.yaml`. See docs/ARCHITECTURE.md, "One stack per region".
     * @default - none: the environment's shared settings alone (what tools read); `pulumi up` refuses it
     * Note: only valid when it is `global`, `regions.primary.region` or `regions.dr.region`.
     */
    unit: nonEmpty("global or one of the environment's regions").optional(),
    simulation: simulationSchema.optional(),
    capacity: capacitySchema.optional(),
  })
  .superRefine((c, ctx) => {
    const units = ['global', c.regions.primary.region, c.regions.dr.region];
    if (c.unit !== undefined && c.unit !== '' && !units.includes(c.unit)) {
      ctx.addIssue({
        code: 'custom',
        path: ['unit'],
        message: `one of ${units.join(', ')} (the stack's part of the environment)`,
      });
    }
    if (c.regions.dr.region === c.regions.primary.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'dr', 'region'],
        message: `a region different from the primary region (${c.regions.primary.region})`,
      });
    }
    if (cidrsOverlap(c.regions.primary.vpcCidr, c.regions.dr.vpcCidr)) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions', 'dr', 'vpcCidr'],
        message: `a CIDR that does not overlap the primary VPC (${c.regions.primary.vpcCidr})`,
      });
    }
    // The replication heartbeat (1 s at the fastest) cannot measure a smaller RPO
    // (stacks/capacity.ts MIN_MEASURABLE_RPO_SECONDS); a non-positive value is reported by its own check.
    if (c.dr.rpoSeconds > 0 && c.dr.rpoSeconds < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['dr', 'rpoSeconds'],
        message:
          'at least 3 seconds: the replication heartbeat writes once a second at the fastest, so a smaller RPO cannot be measured',
      });
    }
    if (c.cluster.publicAccessCidrs.length === 0 && c.cluster.privateApiAccessCidrs.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'privateApiAccessCidrs'],
        message:
          'at least one CIDR of the deploy runners: the API endpoint is private only (cluster.publicAccessCidrs is []), and the cluster security group admits nothing from outside the cluster',
      });
    }
    const ownRegions = [c.regions.primary.region, c.regions.dr.region];
    // An empty value is already reported by the key's own check.
    if (c.dr.activeRegion && !(ownRegions as string[]).includes(c.dr.activeRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dr', 'activeRegion'],
        message: `one of the environment's regions (${ownRegions.join(' or ')}); omit it to serve from the primary region`,
      });
    }
    // issue 13: the canary watches both regions from a third one.
    const canary = canaryRegionProblem(c.observability.canaryRegion, ownRegions);
    if (canary) ctx.addIssue({ code: 'custom', path: ['observability', 'canaryRegion'], message: canary });
    // issue 13: the canary VPC is peered with both regional VPCs, so it overlaps neither.
    const canaryCidr = c.observability.canaryNetwork?.vpcCidr;
    const clash = (['primary', 'dr'] as const).filter(
      (role) => canaryCidr !== undefined && cidrsOverlap(canaryCidr, c.regions[role].vpcCidr),
    );
    if (clash.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['observability', 'canaryNetwork', 'vpcCidr'],
        message: `a CIDR that overlaps neither regional VPC (${clash.map((r) => `${c.regions[r].region} ${c.regions[r].vpcCidr}`).join(', ')}): the canary VPC is peered with both`,
      });
    }
    for (const role of ['primary', 'dr'] as const) {
      const site = c.regions[role];
      if (site.availabilityZones !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['regions', role, 'availabilityZones'],
          message:
            'no such key: zones are configured by AZ ID in availabilityZoneIds (e.g. ["usw2-az1", "usw2-az2", "usw2-az3"]; `aws ec2 describe-availability-zones` lists ZoneName -> ZoneId)',
        });
      }
      site.availabilityZoneIds.forEach((id, i) => {
        const problem = azIdProblem(id, site.region);
        const earlier = site.availabilityZoneIds.indexOf(id);
        const message =
          problem ?? (earlier < i ? `an AZ ID not already listed (slot ${earlier})` : undefined);
        if (message)
          ctx.addIssue({ code: 'custom', path: ['regions', role, 'availabilityZoneIds', i], message });
      });
    }
  });

export type ProjectConfig = z.infer<typeof projectConfigSchema>;

/** Parses `a.b.c.d/n` into [first address as integer, size]. */
export function cidrRange(block: string): [number, number] {
  const [ip, prefix] = block.split('/');
  const start = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return [start, 2 ** (32 - Number(prefix))];
}

/** True when two CIDR blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  if (!isCidr(a) || !isCidr(b)) return false;
  const [as, an] = cidrRange(a);
  const [bs, bn] = cidrRange(b);
  return as < bs + bn && bs < as + an;
}
