import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionKey } from './keys';
import { InvalidArgumentError } from '../errors';

/** How the stream's capacity is managed. Build with {@link StreamCapacity}. */
export type StreamCapacityMode =
  { readonly mode: 'ON_DEMAND' } | { readonly mode: 'PROVISIONED'; readonly shardCount: number };

/** Static factories for {@link StreamCapacityMode}. */
export const StreamCapacity = {
  /** Kinesis scales the shards itself. */
  onDemand: (): StreamCapacityMode => ({ mode: 'ON_DEMAND' }),
  /** A fixed number of shards (from the capacity model). */
  provisioned: (shardCount: number): StreamCapacityMode => {
    if (!Number.isInteger(shardCount) || shardCount < 1) {
      throw new InvalidArgumentError(
        `'shardCount' (${shardCount}) must be an integer greater than or equal to 1`,
      );
    }
    return { mode: 'PROVISIONED', shardCount };
  },
} as const;

export interface TransactionStreamArgs {
  /** The region the stream lands in. */
  readonly region: string;
  /** The stream's physical name (the same in both regions: stacks/naming `stream`). */
  readonly streamName: string;
  /** The name of the stream scorer's enhanced fan-out consumer. */
  readonly consumerName: string;
  /** The region's platform key; the stream is encrypted with it (`encryptionType: KMS`). */
  readonly key: RegionKey;
  /** Provisioned shards or on-demand. */
  readonly capacity: StreamCapacityMode;
  /** Retention in hours (24 to 8760). */
  readonly retentionHours: number;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The `transactions` stream of one region, KMS-encrypted, with the stream scorer's registered enhanced
 * fan-out consumer (a dedicated 2 MiB/s per shard read pipe, so the scorer does not share the shared
 * read limit with other readers).
 * @see https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
 */
export class TransactionStream extends pulumi.ComponentResource {
  readonly stream: aws.kinesis.Stream;
  readonly consumer: aws.kinesis.StreamConsumer;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly consumerArn: pulumi.Output<string>;

  constructor(name: string, args: TransactionStreamArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:TransactionStream', name, {}, opts);
    if (!Number.isInteger(args.retentionHours) || args.retentionHours < 24 || args.retentionHours > 8760) {
      throw new InvalidArgumentError(
        `'retentionHours' (${args.retentionHours}) must be an integer between 24 and 8760`,
      );
    }
    const region = args.region;
    this.stream = new aws.kinesis.Stream(
      `${name}-stream`,
      {
        region,
        name: args.streamName,
        encryptionType: 'KMS',
        kmsKeyId: args.key.arn,
        retentionPeriod: args.retentionHours,
        streamModeDetails: { streamMode: args.capacity.mode },
        shardCount: args.capacity.mode === 'PROVISIONED' ? args.capacity.shardCount : undefined,
        shardLevelMetrics: [
          'IncomingRecords',
          'IncomingBytes',
          'WriteProvisionedThroughputExceeded',
          'IteratorAgeMilliseconds',
        ],
        tags: args.tags,
      },
      { parent: this },
    );
    this.consumer = new aws.kinesis.StreamConsumer(
      `${name}-consumer`,
      { region, name: args.consumerName, streamArn: this.stream.arn, tags: args.tags },
      { parent: this },
    );
    this.name = this.stream.name;
    this.arn = this.stream.arn;
    this.consumerArn = this.consumer.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, consumerArn: this.consumerArn });
  }
}
