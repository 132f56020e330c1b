import type { RoleRef } from './identities';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { keyPolicy } from './policy-documents';
import { InvalidArgumentError } from '../errors';

/** A platform key in one region: the multi-region primary or its replica. */
export type RegionKey = aws.kms.Key | aws.kms.ReplicaKey;

export interface PlatformKeysArgs {
  /** The environment name, used in the description and alias (`alias/<env>-risk-platform`). */
  readonly environment: string;
  /** The region of the primary key (the global tables' home). */
  readonly primaryRegion: string;
  /** The region of the replica key (DR). */
  readonly drRegion: string;
  /** The deploying account (the key policy's root principal). */
  readonly accountId: pulumi.Input<string>;
  /**
   * The workload roles named as the keys' users (through the platform services only).
   * @default - none: the roles use the keys through the account statement and their IAM policies
   * Note: KMS checks that principals exist, so the roles must be created before the keys.
   */
  readonly workloadRoles?: readonly RoleRef[];
  /**
   * The names of the SNS topics that deliver into queues encrypted with these keys (one per region,
   * same name); SNS may use the key on their behalf only.
   * @default - none
   */
  readonly topicName?: string;
  /**
   * Days a scheduled deletion waits.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Pulumi `protect` and `retainOnDelete` on both keys: every table, stream, queue and the clusters'
   * secrets are encrypted with them, so a destroy or a replacement must never schedule their deletion
   * (a deleted key makes that data unreadable after the waiting period).
   * @default true
   */
  readonly protect?: boolean;
  /**
   * Which keys this stack creates: both (one stack for the environment), the multi-region primary
   * (the primary region's stack) or its replica (the DR region's stack, which then needs
   * `primaryKeyArn`). See docs/ARCHITECTURE.md, "One stack per region".
   * @default 'both'
   */
  readonly part?: 'both' | 'primary' | 'replica';
  /**
   * The primary key's ARN when only the replica is created here (a `StackReference` to the primary
   * region's stack output `keyArn`: a key ARN holds a random key ID and cannot be derived).
   * Note: only valid when `part` is `replica`.
   */
  readonly primaryKeyArn?: pulumi.Input<string>;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The platform's customer-managed keys: one multi-region key homed in the primary region (rotation on)
 * and its replica in the DR region, each with an alias. Multi-region keys share key material and ID, so
 * data encrypted in one region decrypts in the other (global table replicas, failover).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
 */
export class PlatformKeys extends pulumi.ComponentResource {
  /** The multi-region primary key (undefined when this stack holds only the replica). */
  readonly primary?: aws.kms.Key;
  /** The DR replica (undefined when this stack holds only the primary). */
  readonly replica?: aws.kms.ReplicaKey;
  readonly primaryRegion: string;
  readonly drRegion: string;
  /** The alias name in both regions. */
  readonly aliasName: string;
  /** Whether both keys are protected and retained on delete. */
  readonly protect: boolean;

  constructor(name: string, args: PlatformKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:PlatformKeys', name, {}, opts);
    if (args.primaryRegion === args.drRegion) {
      throw new InvalidArgumentError(
        `'drRegion' (${args.drRegion}) must differ from 'primaryRegion' (${args.primaryRegion})`,
      );
    }
    this.primaryRegion = args.primaryRegion;
    this.drRegion = args.drRegion;
    this.aliasName = `alias/${args.environment}-risk-platform`;
    const deletionWindowInDays = args.deletionWindowInDays ?? 30;
    this.protect = args.protect ?? true;
    const keep = { parent: this, protect: this.protect, retainOnDelete: this.protect };
    const roleArns = (args.workloadRoles ?? []).map((r) => r.arn);
    const policyFor = (region: string) =>
      pulumi
        .all([pulumi.output(args.accountId), pulumi.all(roleArns)])
        .apply(([accountId, workloadRoleArns]) =>
          JSON.stringify(
            keyPolicy({
              accountId,
              region,
              workloadRoleArns,
              topicArns: args.topicName ? [`arn:aws:sns:${region}:${accountId}:${args.topicName}`] : [],
            }),
          ),
        );
    const description = `${args.environment} risk-platform data at rest`;

    const part = args.part ?? 'both';
    if ((part === 'replica') !== (args.primaryKeyArn !== undefined)) {
      throw new InvalidArgumentError(
        `'primaryKeyArn' (${args.primaryKeyArn === undefined ? 'unset' : 'set'}) must be set exactly when 'part' is 'replica' (received part '${part}')`,
      );
    }
    const tags = { ...args.tags, Name: `${args.environment}-risk-platform` };
    this.primary =
      part === 'replica'
        ? undefined
        : new aws.kms.Key(
            `${name}-primary`,
            {
              region: args.primaryRegion,
              description,
              multiRegion: true,
              enableKeyRotation: true,
              deletionWindowInDays,
              policy: policyFor(args.primaryRegion),
              tags,
            },
            keep,
          );
    this.replica =
      part === 'primary'
        ? undefined
        : new aws.kms.ReplicaKey(
            `${name}-replica`,
            {
              region: args.drRegion,
              description,
              primaryKeyArn: this.primary ? this.primary.arn : args.primaryKeyArn!,
              deletionWindowInDays,
              policy: policyFor(args.drRegion),
              tags,
            },
            keep,
          );
    const created: [RegionKey | undefined, string][] = [
      [this.primary, args.primaryRegion],
      [this.replica, args.drRegion],
    ];
    for (const [key, region] of created) {
      if (!key) continue;
      new aws.kms.Alias(
        `${name}-${region}-alias`,
        { region, name: this.aliasName, targetKeyId: key.keyId },
        { parent: this },
      );
    }
    this.registerOutputs({ primaryArn: this.primary?.arn, replicaArn: this.replica?.arn });
  }

  /** The key of a region (the primary in the primary region, the replica in DR). */
  keyIn(region: string): RegionKey {
    const key =
      region === this.primaryRegion ? this.primary : region === this.drRegion ? this.replica : undefined;
    if (key) return key;
    const here = [this.primary && this.primaryRegion, this.replica && this.drRegion].filter(Boolean);
    throw new InvalidArgumentError(
      `'region' (${region}) must be one of this stack's key regions (${here.join(', ')})`,
    );
  }

  /** The ARNs of the keys this stack created, primary first. */
  get arns(): pulumi.Output<string>[] {
    return [this.primary?.arn, this.replica?.arn].filter((a): a is pulumi.Output<string> => a !== undefined);
  }
}
