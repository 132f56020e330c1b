import { z } from 'zod';

/**
 * The contract between the stacks and everything that runs outside Pulumi (the DR runbook, CI).
 *
 * The program exports it as the stack output `runbook`, so `pulumi stack output --json --stack <env>`
 * prints `{ "runbook": { ... } }`. The offline plan writes the same object, resolved under mocks, to
 * `dist/plan/<env>/outputs.json`. Consumers parse it with {@link runbookOutputsSchema}.
 */

const named = z.strictObject({ name: z.string().min(1), arn: z.string().min(1) });

const queue = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  arn: z.string().min(1),
  dlqUrl: z.string().min(1),
  dlqArn: z.string().min(1),
});

export const regionOutputsSchema = z.strictObject({
  role: z.enum(['primary', 'dr']),
  region: z.string().min(1),
  /** The KMS key (primary or replica) encrypting this region's data. */
  keyArn: z.string().min(1),
  stream: named,
  /** The enhanced fan-out consumer of the stream scorer. */
  streamConsumerArn: z.string().min(1),
  /** Table names are the same in both regions (global tables); ARNs are regional. */
  tables: z.strictObject({ features: named, decisions: named, control: named }),
  topic: named,
  queues: z.strictObject({ caseReview: queue, modelFeedback: queue }),
  cluster: z.strictObject({
    name: z.string().min(1),
    arn: z.string().min(1),
    endpoint: z.string().min(1),
    /** Base64 PEM of the cluster CA. */
    certificateAuthority: z.string(),
    /** The kubeconfig context name the runbook uses for this cluster (`aws eks update-kubeconfig --alias`). */
    kubeContext: z.string().min(1),
  }),
  workloads: z.strictObject({
    namespace: z.string().min(1),
    /** Deployment name -> autoscaler that owns its replica bounds. */
    deployments: z.array(
      z.strictObject({
        name: z.string().min(1),
        autoscaler: z.strictObject({
          kind: z.enum(['HorizontalPodAutoscaler', 'ScaledObject']),
          name: z.string().min(1),
          /** Minimum replicas with the region at full capacity (primary's sizing). */
          fullMinReplicas: z.number().int().positive(),
          /** Minimum replicas in warm standby (the DR fraction of full, at least 1). */
          standbyMinReplicas: z.number().int().positive(),
          maxReplicas: z.number().int().positive(),
        }),
      }),
    ),
  }),
  /**
   * This region's autoscaled DynamoDB capacity (Application Auto Scaling scalable targets of its table
   * copies), which the runbook's scale-up raises to the full floor, or to the source's current capacity
   * when larger, and `dr abort` / failback restore (issue 15 finding 26). Only the dimensions this
   * region registers itself: the DR replica's reads (its writes follow the home table's global settings).
   * @default - none (on-demand tables, or outputs published before it existed: tables are not raised)
   */
  tableCapacity: z
    .array(
      z.strictObject({
        /** The physical table name. */
        table: z.string().min(1),
        /** `table/<name>` or `table/<name>/index/<index>`. */
        resourceId: z.string().regex(/^table\/[^/]+(\/index\/[^/]+)?$/),
        dimension: z.enum([
          'dynamodb:table:ReadCapacityUnits',
          'dynamodb:table:WriteCapacityUnits',
          'dynamodb:index:ReadCapacityUnits',
          'dynamodb:index:WriteCapacityUnits',
        ]),
        /** `MinCapacity` with the region active (the home floor). */
        fullMinCapacity: z.number().int().positive(),
        /** `MinCapacity` in warm standby (the standby fraction of the home floor). */
        standbyMinCapacity: z.number().int().positive(),
        maxCapacity: z.number().int().positive(),
      }),
    )
    .optional(),
  /** Route 53 health check bound to this region's routing control. */
  healthCheckId: z.string().min(1),
  routingControlArn: z.string().min(1),
  /** Optional synthetic scoring endpoint, e.g. `https://score-us-west-2.risk.example.com/healthz/score`. */
  syntheticEndpoint: z.string().optional(),
  /**
   * This region's SNS topic for runbook notifications (`<env>-dr-runbook`); the runbook publishes to
   * the target region's, the healthy one (the risk-decisions topic is not used).
   */
  notificationTopicArn: z.string().min(1),
});

/**
 * Where the runbook reads the synthetic canary's view of both regions (issue 13): the canary's region
 * and the CloudWatch metrics its handler publishes there (stacks/observability/canary-handler), so the
 * runbook hard-codes none of them. Evidence for `preflight` and `status`, never a switch.
 */
export const canaryOutputsSchema = z.strictObject({
  /** `observability.canaryRegion`: the third region the canary runs in and publishes its metrics to. */
  region: z.string().min(1),
  /** The CloudWatch namespace, e.g. `prod-risk-canary`. */
  namespace: z.string().min(1),
  /** The dimension naming the probed region (`TargetRegion`). */
  regionDimension: z.string().min(1),
  metrics: z.strictObject({
    /** 1 when the probe scored within budget, else 0 (one datapoint a minute). */
    healthy: z.string().min(1),
    /** Milliseconds to the whole response (the timeout when it timed out). */
    latency: z.string().min(1),
    /** 1 per failed probe, with the reason as a second dimension. */
    error: z.string().min(1),
  }),
  /** The error metric's reason dimension (`Reason`) and every value the handler publishes. */
  errorReasonDimension: z.string().min(1),
  errorReasons: z.array(z.string().min(1)),
  /** Seconds between probes (the schedule, and the metrics' period). */
  periodSeconds: z.number().int().positive(),
  /** Consecutive failed probes that fire a region's alarm; preflight refuses at the same count. */
  failingAfter: z.number().int().positive(),
});

export const runbookOutputsSchema = z.strictObject({
  environment: z.string().min(1),
  primaryRegion: z.string().min(1),
  drRegion: z.string().min(1),
  rpoSeconds: z.number().positive(),
  /**
   * How often each region's `replication-heartbeat` writer writes (stacks/capacity.ts
   * `heartbeatIntervalSeconds(rpoSeconds)`): the runbook subtracts it from a heartbeat's age.
   * @default - derived from `rpoSeconds` (outputs published before it existed)
   */
  heartbeatIntervalSeconds: z.number().positive().optional(),
  rtoSeconds: z.number().positive(),
  standbyFraction: z.number().gt(0).max(1),
  regions: z.record(z.string(), regionOutputsSchema),
  /**
   * The synthetic canary's metrics. @default - absent in outputs published before it existed: the
   * runbook then shows `canary: not configured` and preflight warns.
   */
  canary: canaryOutputsSchema.optional(),
  traffic: z.strictObject({
    /** The ARC cluster's data-plane endpoints; the runbook tries each in turn. */
    clusterEndpoints: z
      .array(z.strictObject({ endpoint: z.string().min(1), region: z.string().min(1) }))
      .min(1),
    controlPanelArn: z.string().min(1),
    safetyRuleArn: z.string().min(1),
    /** The fully-qualified scoring API record name, e.g. `score.risk.example.com`. */
    recordName: z.string().min(1),
    /**
     * TTL of the failover records (s): resolvers may hold the old answer that long after the flip, so
     * the runbook's RTO is time-to-flip plus it. @default 60 (outputs published before it existed)
     */
    recordTtlSeconds: z.number().int().nonnegative().optional(),
  }),
});

export type RegionOutputs = z.infer<typeof regionOutputsSchema>;
export type RunbookOutputs = z.infer<typeof runbookOutputsSchema>;
export type CanaryOutputs = z.infer<typeof canaryOutputsSchema>;

/**
 * The SSM parameter (one per region, same name) the program publishes the runbook outputs to, so the
 * runbook needs neither Pulumi nor the impaired region to read them: `/risk-platform/<env>/runbook-outputs`.
 * A name is a contract (the runbook reads it): it has a test.
 */
export const runbookParameterName = (env: string) => `/risk-platform/${env}/runbook-outputs`;
