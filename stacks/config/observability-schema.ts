import { z } from 'zod';

/**
 * The observability keys of issue 13 (`risk-platform:observability.*`): the canary's region, the
 * scoring SLOs, the model-monitoring bounds and the runbook's roles for the audit alerts. Kept apart
 * from `schema.ts` so the schema file stays one unit per concern; `schema.ts` spreads them into
 * `observabilitySchema` and runs {@link canaryRegionProblem} in its cross-field checks.
 */

/** The SLO windows Datadog supports (`thresholds[].timeframe`). */
export const SLO_TIMEFRAMES = ['7d', '30d', '90d'] as const;
export type SloTimeframe = (typeof SLO_TIMEFRAMES)[number];

/**
 * Bounds of an SLO target, in percent. The lower bound keeps the 14.4x page reachable: a burn rate
 * `b` can only be observed when `b x (1 - target) <= 1`, i.e. a target above 1 - 1/14.4 = 93.06 %.
 */
export const SLO_TARGET_BOUNDS = { min: 95, max: 99.999 } as const;

const SLO_TARGET = `a percentage between ${SLO_TARGET_BOUNDS.min} and ${SLO_TARGET_BOUNDS.max} (SLO target)`;
const sloTarget = z
  .number({ message: SLO_TARGET })
  .min(SLO_TARGET_BOUNDS.min, { message: SLO_TARGET })
  .max(SLO_TARGET_BOUNDS.max, { message: SLO_TARGET });

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const RUNBOOK_ROLES =
  'a list of at least one IAM role ARN the DR runbook runs as (e.g. arn:aws:iam::123456789012:role/risk-platform-oncall)';

const DRIFT = 'a number in (0, 1) (absolute score drift, scores are in [0, 1])';

export const sloSchema = z.strictObject({
  /** Availability SLO of the scoring API: the share of requests that do not fail, in percent. */
  availabilityTarget: sloTarget,
  /** Latency SLO: the share of 1-minute slices whose p99 stays within `targets.p99LatencyMs`, in percent. */
  latencyTarget: sloTarget,
  /**
   * The SLO window. The burn rates of the alerts are derived from it (14.4x and 6x for 30 days).
   * @default '30d'
   */
  timeframe: z.enum(SLO_TIMEFRAMES, { message: `one of ${SLO_TIMEFRAMES.join(', ')}` }).default('30d'),
});

export const modelMonitoringSchema = z.strictObject({
  /**
   * How far a percentile of the fraud score (p50, p90, p99) may move from the same hour a week before.
   * @default 0.1
   */
  scoreDriftThreshold: z
    .number({ message: DRIFT })
    .gt(0, { message: DRIFT })
    .lt(1, { message: DRIFT })
    .default(0.1),
  /**
   * The oldest the last feature write may be, in seconds, before the features are stale.
   * @default 900
   */
  featureMaxAgeSeconds: z
    .number({ message: 'an integer > 0 (seconds)' })
    .int({ message: 'an integer > 0 (seconds)' })
    .positive({ message: 'an integer > 0 (seconds)' })
    .default(900),
  /**
   * How long the two regions may serve different model versions (a rollout), in minutes.
   * @default 30
   */
  rolloutMinutes: z
    .number({ message: 'an integer between 5 and 1440 (minutes)' })
    .int({ message: 'an integer between 5 and 1440 (minutes)' })
    .min(5, { message: 'an integer between 5 and 1440 (minutes)' })
    .max(1440, { message: 'an integer between 5 and 1440 (minutes)' })
    .default(30),
});

const AZ_IDS =
  'a list of 2 or 3 distinct availability zone IDs of the canary region (e.g. use2-az1, use2-az2: IDs, the same zones in every account)';

/**
 * The canary's VPC in its region (issue 13): peered with each regional VPC so the Lambda reaches the
 * internal NLBs. `schema.ts` checks that it overlaps neither regional VPC.
 */
export function canaryNetworkSchema<C extends z.ZodType<string>>(cidr: C) {
  return z.strictObject({
    /** A /24 to /27 (stacks/observability/canary-cidr.ts cuts it into one subnet per AZ). */
    vpcCidr: cidr.refine((v: string) => Number(v.split('/')[1]) >= 24 && Number(v.split('/')[1]) <= 27, {
      message: 'an IPv4 CIDR block between /24 and /27 (the canary VPC holds a few ENIs only)',
    }),
    /** The AZs of the Lambda's subnets and of the CloudWatch interface endpoint's ENIs. */
    availabilityZoneIds: z
      .array(z.string().regex(/^[a-z]{2,5}\d-az\d{1,2}$/, { message: AZ_IDS }), { message: AZ_IDS })
      .min(2, { message: AZ_IDS })
      .max(3, { message: AZ_IDS })
      .refine((ids) => new Set(ids).size === ids.length, { message: AZ_IDS }),
  });
}

/**
 * The keys `observabilitySchema` gains; `region` is the schema's AWS region enum and `cidr` its CIDR
 * block (passed to avoid a cycle).
 */
export function observabilityExtensions<R extends z.ZodTypeAny, C extends z.ZodType<string>>(
  region: R,
  cidr: C,
) {
  return {
    /**
     * The region the synthetic canary runs in, and the audit trail's home: neither the primary nor
     * the DR region, so the failover evidence does not depend on the region that failed.
     */
    canaryRegion: region,
    /** The canary's VPC (peered with both regional VPCs): its CIDR and AZ IDs. */
    canaryNetwork: canaryNetworkSchema(cidr),
    slo: sloSchema,
    /** @default - every bound at its default */
    model: modelMonitoringSchema.default({
      scoreDriftThreshold: 0.1,
      featureMaxAgeSeconds: 900,
      rolloutMinutes: 30,
    }),
    /**
     * The IAM roles the DR runbook runs as. A routing-control change by any other principal alerts.
     */
    runbookRoleArns: z
      .array(z.string().regex(IAM_ROLE_ARN, { message: RUNBOOK_ROLES }), { message: RUNBOOK_ROLES })
      .min(1, { message: RUNBOOK_ROLES }),
  };
}

/** Why the canary region is refused (it is one of the environment's own regions), or undefined. */
export function canaryRegionProblem(canary: string, ownRegions: readonly string[]): string | undefined {
  return ownRegions.includes(canary)
    ? `a third region, neither the primary nor the DR region (${ownRegions.join(', ')}): the canary must not fail with the region it watches`
    : undefined;
}
