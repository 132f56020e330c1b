import type { RoleRef } from './identities';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionKey } from './keys';
import { queuePolicy, redriveAllowPolicy, redrivePolicy, topicPolicy } from './policy-documents';
import { InvalidArgumentError } from '../errors';

/**
 * SQS's longest retention (14 days), for the DLQs: a failed message waits as long as SQS allows. A
 * standard queue's message keeps its original enqueue timestamp when it moves to the DLQ, so the
 * source queues must keep messages for less (`retentionDays` at most {@link MAX_SOURCE_RETENTION_DAYS}).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** The longest source-queue retention, in days: one day less than the DLQs'. */
export const MAX_SOURCE_RETENTION_DAYS = DLQ_RETENTION_SECONDS / (24 * 3600) - 1;

/** The queues the decisions topic fans out to. */
export const FANOUT_QUEUES = ['caseReview', 'modelFeedback'] as const;
export type FanoutQueueKey = (typeof FANOUT_QUEUES)[number];

export interface DecisionFanoutArgs {
  /** The region every resource lands in. */
  readonly region: string;
  /** Physical names (the same in both regions: stacks/naming). */
  readonly names: {
    readonly topic: string;
    readonly queues: Readonly<Record<FanoutQueueKey, { readonly queue: string; readonly dlq: string }>>;
  };
  /** The region's platform key; topic, queues and DLQs are encrypted with it. */
  readonly key: RegionKey;
  /** The roles allowed to publish (the scoring workloads). */
  readonly publishers: readonly RoleRef[];
  /** Receives before a message moves to its DLQ (1 to 1000). */
  readonly maxReceiveCount: number;
  /** The queues' visibility timeout (from the capacity model: above the consumer's processing time). */
  readonly visibilityTimeoutSeconds: number;
  /**
   * Retention of the source queues, in days (1 to 13): less than the DLQs' 14 days, because a
   * standard queue keeps a message's original enqueue timestamp when it moves to the DLQ.
   */
  readonly retentionDays: number;
  /**
   * Deliver the raw decision (no SNS envelope) to the queues; the consumers parse the decision itself.
   * @default true
   */
  readonly rawMessageDelivery?: boolean;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/** One fan-out queue and its DLQ. */
export interface FanoutQueue {
  readonly queue: aws.sqs.Queue;
  readonly dlq: aws.sqs.Queue;
  readonly subscription: aws.sns.TopicSubscription;
}

/**
 * The `risk-decisions` topic of one region fanning out to the `case-review` and `model-feedback`
 * queues, each with a DLQ. Everything is KMS-encrypted with the region's key and TLS-only; a queue
 * admits only the topic (SNS, conditioned on the topic's ARN), and its DLQ only its source queue.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html
 */
export class DecisionFanout extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly queues: Readonly<Record<FanoutQueueKey, FanoutQueue>>;

  constructor(name: string, args: DecisionFanoutArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:DecisionFanout', name, {}, opts);
    validate(args);
    const region = args.region;
    const parent = { parent: this };
    const kmsMasterKeyId = args.key.arn;

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { region, name: args.names.topic, kmsMasterKeyId, tags: args.tags },
      parent,
    );
    new aws.sns.TopicPolicy(
      `${name}-topic`,
      {
        region,
        arn: this.topic.arn,
        policy: pulumi
          .all([this.topic.arn, pulumi.all(args.publishers.map((r) => r.arn))])
          .apply(([topicArn, publisherRoleArns]) =>
            JSON.stringify(topicPolicy({ topicArn, publisherRoleArns })),
          ),
      },
      parent,
    );

    const queues = {} as Record<FanoutQueueKey, FanoutQueue>;
    for (const key of FANOUT_QUEUES) {
      const names = args.names.queues[key];
      const dlq = new aws.sqs.Queue(
        `${name}-${names.dlq}`,
        {
          region,
          name: names.dlq,
          kmsMasterKeyId,
          messageRetentionSeconds: DLQ_RETENTION_SECONDS,
          tags: args.tags,
        },
        parent,
      );
      const queue = new aws.sqs.Queue(
        `${name}-${names.queue}`,
        {
          region,
          name: names.queue,
          kmsMasterKeyId,
          visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
          messageRetentionSeconds: args.retentionDays * 24 * 3600,
          receiveWaitTimeSeconds: 20,
          redrivePolicy: dlq.arn.apply((arn) => redrivePolicy(arn, args.maxReceiveCount)),
          tags: args.tags,
        },
        parent,
      );
      new aws.sqs.RedriveAllowPolicy(
        `${name}-${names.dlq}`,
        { region, queueUrl: dlq.url, redriveAllowPolicy: queue.arn.apply(redriveAllowPolicy) },
        parent,
      );
      new aws.sqs.QueuePolicy(
        `${name}-${names.queue}`,
        {
          region,
          queueUrl: queue.url,
          policy: pulumi
            .all([queue.arn, this.topic.arn])
            .apply(([queueArn, topicArn]) => JSON.stringify(queuePolicy({ queueArn, topicArn }))),
        },
        parent,
      );
      new aws.sqs.QueuePolicy(
        `${name}-${names.dlq}`,
        {
          region,
          queueUrl: dlq.url,
          policy: dlq.arn.apply((queueArn) => JSON.stringify(queuePolicy({ queueArn }))),
        },
        parent,
      );
      const subscription = new aws.sns.TopicSubscription(
        `${name}-${names.queue}`,
        {
          region,
          topic: this.topic.arn,
          protocol: 'sqs',
          endpoint: queue.arn,
          rawMessageDelivery: args.rawMessageDelivery ?? true,
        },
        parent,
      );
      queues[key] = { queue, dlq, subscription };
    }
    this.queues = queues;
    this.registerOutputs({
      topicArn: this.topic.arn,
      queueUrls: Object.fromEntries(FANOUT_QUEUES.map((k) => [k, queues[k].queue.url])),
    });
  }
}

function validate(args: DecisionFanoutArgs): void {
  const intIn = (field: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new InvalidArgumentError(`'${field}' (${v}) must be an integer between ${lo} and ${hi}`);
  };
  intIn('maxReceiveCount', args.maxReceiveCount, 1, 1000);
  intIn('visibilityTimeoutSeconds', args.visibilityTimeoutSeconds, 0, 43200);
  intIn('retentionDays', args.retentionDays, 1, MAX_SOURCE_RETENTION_DAYS);
  if (args.publishers.length === 0)
    throw new InvalidArgumentError(`'publishers' ([]) must name at least one role`);
}
