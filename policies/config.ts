import { REPLICA_FLOOR, shardRequirement } from '../stacks/capacity';
import { EnvironmentConfig, REQUIRED_TAG_KEYS } from '../stacks/config/load';
import { EnvironmentName } from '../stacks/config/schema';
import { DEFAULT_SUPPORTED_KUBERNETES_VERSIONS } from './network-eks';
import { PolicyPackConfig } from './types';

/**
 * What each environment demands beyond its stack config: the guardrails' strictness. Kept here, as
 * data, so no rule forks on the environment name.
 */
export interface EnvironmentPolicyProfile {
  /** DynamoDB deletion protection on tables and replicas. */
  readonly requireDeletionProtection: boolean;
  /** Availability zones a managed node group must span. */
  readonly minNodeGroupAzs: number;
  /** The smallest autoscaler minimum (HPA or ScaledObject): the capacity model's `REPLICA_FLOOR`. */
  readonly hpaMinReplicas: number;
  /** The shortest Kinesis retention, in hours (the replay window). */
  readonly minRetentionHours: number;
  /** Replica-count rules (HPA bounds, DR standby minimums) are advisory where the environment tolerates it. */
  readonly replicaRulesLevel: 'advisory' | 'mandatory';
  /**
   * The monthly budget in USD at on-demand list prices (`npm run cost`), and whether exceeding it blocks.
   * Set a little above the estimate of the current estate (dev 4,457, staging 6,709, prod 57,400 USD on
   * the price table of 2025-06-01), so growth is a reviewed decision. Prod's was raised from 50,000 once
   * the estimate priced a global table's replicated write floor in every replica region (AWS bills
   * rWCU per region): the decisions table's 40,000 rWCU floor in two regions is 37,960 of the 57,400.
   */
  readonly costBudget: { readonly monthlyUsd: number; readonly level: 'advisory' | 'mandatory' };
}

export const POLICY_PROFILES: Readonly<Record<EnvironmentName, EnvironmentPolicyProfile>> = {
  dev: {
    requireDeletionProtection: false,
    minNodeGroupAzs: 1,
    hpaMinReplicas: REPLICA_FLOOR.dev,
    minRetentionHours: 24,
    replicaRulesLevel: 'advisory',
    costBudget: { monthlyUsd: 5_000, level: 'advisory' },
  },
  staging: {
    requireDeletionProtection: true,
    minNodeGroupAzs: 1,
    hpaMinReplicas: REPLICA_FLOOR.staging,
    minRetentionHours: 24,
    replicaRulesLevel: 'mandatory',
    costBudget: { monthlyUsd: 7_500, level: 'mandatory' },
  },
  prod: {
    requireDeletionProtection: true,
    minNodeGroupAzs: 3,
    hpaMinReplicas: REPLICA_FLOOR.prod,
    minRetentionHours: 168,
    replicaRulesLevel: 'mandatory',
    costBudget: { monthlyUsd: 60_000, level: 'mandatory' },
  },
};

/** maxReceiveCount bounds of every work queue's redrive policy. */
export const MAX_RECEIVE_COUNT_BOUNDS = { min: 3, max: 10 } as const;

/**
 * The rules that need both regions (or the whole environment) at once. Under `pulumi preview
 * --policy-pack` each stack is checked alone (one stack per region), so a stack's policy config turns
 * them off, and they run on the environment plan (`dist/plan/<env>/resources.json`, every stack
 * together): offline in `npm run plan` and in CI's `environment-policies` step.
 */
export const ENVIRONMENT_POLICIES = [
  'dr-parity',
  'dr-standby-minimums',
  'dynamodb-dr-replica',
  'cost-budget',
  // Monitors live in the global stack, what they watch in the regional ones.
  'monitoring-coverage',
] as const;

/**
 * The policy config of one stack of the environment (`config.unit` set): the environment's, with the
 * {@link ENVIRONMENT_POLICIES} disabled. Without a unit it is the environment's config unchanged.
 */
export function stackPolicyConfigFor(config: EnvironmentConfig): PolicyPackConfig {
  const all = policyConfigFor(config);
  if (config.unit === undefined) return all;
  return {
    ...all,
    ...Object.fromEntries(
      ENVIRONMENT_POLICIES.map((name) => [name, { ...(all[name] ?? {}), enforcementLevel: 'disabled' }]),
    ),
  } as PolicyPackConfig;
}

/**
 * The per-environment policy configuration, derived from the environment's stack config so the rules
 * and the program can never disagree. `npm run plan` writes it to `dist/plan/<env>/policy-config.json`
 * and CI passes that file to `pulumi preview --policy-pack policies --policy-pack-config`.
 * Every rule also runs with no config at all (strict defaults).
 */
export function policyConfigFor(config: EnvironmentConfig): PolicyPackConfig {
  const profile = POLICY_PROFILES[config.environment];
  const regions = { primaryRegion: config.regions.primary.region, drRegion: config.regions.dr.region };
  const { peakStreamRecordsPerSec, meanRecordBytes, headroom } = config.targets;
  // The capacity model's shard count: what a provisioned stream needs, and an ON_DEMAND stream's equivalent.
  const requiredShardCount = shardRequirement(config.targets).shardCount;
  return {
    'required-tags': { requiredTags: [...REQUIRED_TAG_KEYS] },
    'dynamodb-deletion-protection': { requireDeletionProtection: profile.requireDeletionProtection },
    'dynamodb-dr-replica': { drRegion: regions.drRegion },
    'dynamodb-throughput-quotas': { ...config.tables.quotas },
    'kinesis-retention': { minRetentionHours: profile.minRetentionHours },
    'kinesis-shard-capacity': { peakStreamRecordsPerSec, meanRecordBytes, headroom, requiredShardCount },
    'sqs-dead-letter-queue': {
      minMaxReceiveCount: MAX_RECEIVE_COUNT_BOUNDS.min,
      maxMaxReceiveCount: MAX_RECEIVE_COUNT_BOUNDS.max,
    },
    'eks-supported-version': { supportedVersions: [...DEFAULT_SUPPORTED_KUBERNETES_VERSIONS] },
    'eks-node-group-azs': { minNodeGroupAzs: profile.minNodeGroupAzs },
    'hpa-replica-bounds': {
      enforcementLevel: profile.replicaRulesLevel,
      minReplicas: profile.hpaMinReplicas,
    },
    'keda-kinesis-max-replicas':
      config.streams.mode === 'ON_DEMAND' ? { onDemandShardCount: requiredShardCount } : {},
    'keda-kinesis-load-signal':
      config.streams.mode === 'ON_DEMAND' ? { onDemandShardCount: requiredShardCount } : {},
    'dr-parity': { ...regions },
    'dr-standby-minimums': {
      ...regions,
      enforcementLevel: profile.replicaRulesLevel,
      standbyFraction: config.dr.standbyFraction,
    },
    'monitoring-coverage': { regions: config.sites.map((s) => s.region) },
    'cost-budget': {
      enforcementLevel: profile.costBudget.level,
      monthlyBudgetUsd: profile.costBudget.monthlyUsd,
    },
  };
}
