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
  readonly workloadRoles?: readonly aws.iam.Role[];
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
  readonly primary: aws.kms.Key;
  readonly replica: aws.kms.ReplicaKey;
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

    this.primary = new aws.kms.Key(
      `${name}-primary`,
      {
        region: args.primaryRegion,
        description,
        multiRegion: true,
        enableKeyRotation: true,
        deletionWindowInDays,
        policy: policyFor(args.primaryRegion),
        tags: { ...args.tags, Name: `${args.environment}-risk-platform` },
      },
      keep,
    );
    this.replica = new aws.kms.ReplicaKey(
      `${name}-replica`,
      {
        region: args.drRegion,
        description,
        primaryKeyArn: this.primary.arn,
        deletionWindowInDays,
        policy: policyFor(args.drRegion),
        tags: { ...args.tags, Name: `${args.environment}-risk-platform` },
      },
      keep,
    );
    for (const [key, region] of [
      [this.primary, args.primaryRegion],
      [this.replica, args.drRegion],
    ] as const) {
      new aws.kms.Alias(
        `${name}-${region}-alias`,
        { region, name: this.aliasName, targetKeyId: key.keyId },
        { parent: this },
      );
    }
    this.registerOutputs({ primaryArn: this.primary.arn, replicaArn: this.replica.arn });
  }

  /** The key of a region (the primary in the primary region, the replica in DR). */
  keyIn(region: string): RegionKey {
    if (region === this.primaryRegion) return this.primary;
    if (region === this.drRegion) return this.replica;
    throw new InvalidArgumentError(`'region' (${region}) must be ${this.primaryRegion} or ${this.drRegion}`);
  }

  /** Both keys' ARNs, primary first. */
  get arns(): pulumi.Output<string>[] {
    return [this.primary.arn, this.replica.arn];
  }
}
