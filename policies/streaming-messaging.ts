import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import {
  arr,
  at,
  conditionKeys,
  forTypes,
  jsonDoc,
  label,
  num,
  physicalName,
  Props,
  regionOf,
  Statement,
  statementsOf,
  str,
} from './props';

const STREAM = 'aws:kinesis/stream:Stream';
const QUEUE = 'aws:sqs/queue:Queue';
const QUEUE_POLICY = 'aws:sqs/queuePolicy:QueuePolicy';
const REDRIVE_POLICY = 'aws:sqs/redrivePolicy:RedrivePolicy';
const TOPIC = 'aws:sns/topic:Topic';
const TOPIC_POLICY = 'aws:sns/topicPolicy:TopicPolicy';

/** True for an AWS-managed key alias (`alias/aws/<service>`), which is not a customer-managed key. */
const awsManaged = (key: string | undefined): boolean => key !== undefined && /(^|:)alias\/aws\//.test(key);

// ---------------------------------------------------------------------------------------- Kinesis

/** Kinesis streams are encrypted with a customer-managed KMS key. */
export const kinesisKmsEncryption: ResourceValidationPolicy = {
  name: 'kinesis-kms-encryption',
  description: "Kinesis streams must be encrypted with encryptionType 'KMS' and a customer-managed kmsKeyId.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes([STREAM], ({ name, props }, report) => {
    const key = str(props.kmsKeyId);
    if (props.encryptionType !== 'KMS' || !key || awsManaged(key)) {
      report(
        `${label(STREAM, name)} must be encrypted with a customer-managed KMS key (encryptionType ` +
          `${JSON.stringify(props.encryptionType ?? null)}, kmsKeyId ${JSON.stringify(key ?? null)}); ` +
          "set encryptionType: 'KMS' and kmsKeyId to the platform key's ARN (not alias/aws/kinesis).",
      );
    }
  }),
};

/** Configuration of `kinesis-retention`. */
export interface KinesisRetentionConfig {
  /** The shortest retention allowed, in hours. @default 24 (the Kinesis minimum) */
  readonly minRetentionHours?: number;
}

/** Kinesis retention is at least the environment's minimum (the replay window the runbook relies on). */
export const kinesisRetention: ResourceValidationPolicy = {
  name: 'kinesis-retention',
  description: "Kinesis streams must retain records at least the environment's minimum retention hours.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { minRetentionHours: { type: 'number', minimum: 24 } } },
  validateResource: forTypes<KinesisRetentionConfig>([STREAM], ({ name, props, config }, report) => {
    const min = config.minRetentionHours ?? 24;
    const hours = num(props.retentionPeriod) ?? 24;
    if (hours < min) {
      report(
        `${label(STREAM, name)} must retain records for at least ${min} hours (retentionPeriod is ${hours}); ` +
          `raise retentionPeriod (config streams.retentionHours) to ${min} or more.`,
      );
    }
  }),
};

/** Kinesis write limits per shard. @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
export const SHARD_WRITE_RECORDS_PER_SEC = 1000;
export const SHARD_WRITE_BYTES_PER_SEC = 1024 * 1024;

/** Configuration of `kinesis-shard-capacity`: the declared peak, or the shard count the capacity model derives from it. */
export interface ShardCapacityConfig {
  /** The shard count the capacity model requires; wins over the targets when set. */
  readonly requiredShardCount?: number;
  readonly peakStreamRecordsPerSec?: number;
  readonly meanRecordBytes?: number;
  /** @default 1 */
  readonly headroom?: number;
}

/**
 * The shards a provisioned stream needs for the declared peak with headroom: each shard takes
 * 1,000 records/s and 1 MiB/s of writes. Undefined when the targets are not configured.
 */
export function requiredShards(c: ShardCapacityConfig): number | undefined {
  if (c.requiredShardCount !== undefined) return c.requiredShardCount;
  if (c.peakStreamRecordsPerSec === undefined) return undefined;
  const peak = c.peakStreamRecordsPerSec * (c.headroom ?? 1);
  const byRecords = peak / SHARD_WRITE_RECORDS_PER_SEC;
  const byBytes = (peak * (c.meanRecordBytes ?? 0)) / SHARD_WRITE_BYTES_PER_SEC;
  return Math.max(1, Math.ceil(Math.max(byRecords, byBytes) - 1e-9));
}

/** Provisioned streams have the shards the capacity model requires for the declared peak. */
export const kinesisShardCapacity: ResourceValidationPolicy = {
  name: 'kinesis-shard-capacity',
  description:
    'Provisioned Kinesis streams must have at least the shards the capacity model requires for the declared peak.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: {
      requiredShardCount: { type: 'integer', minimum: 1 },
      peakStreamRecordsPerSec: { type: 'number' },
      meanRecordBytes: { type: 'number' },
      headroom: { type: 'number' },
    },
  },
  validateResource: forTypes<ShardCapacityConfig>([STREAM], ({ name, props, config }, report) => {
    if (at(props, 'streamModeDetails.streamMode') === 'ON_DEMAND') return;
    const shards = num(props.shardCount);
    const required = requiredShards(config) ?? 1;
    if (shards === undefined || shards < required) {
      report(
        `${label(STREAM, name)} must have at least ${required} shards for the declared peak ` +
          `(${config.peakStreamRecordsPerSec ?? '?'} records/s x ${config.meanRecordBytes ?? '?'} B x headroom ${config.headroom ?? 1}); ` +
          `shardCount is ${shards ?? 'not set'}: size it from the capacity model, or use streamModeDetails.streamMode 'ON_DEMAND'.`,
      );
    }
  }),
};

// ---------------------------------------------------------------------------------------- SQS

/** SQS queues are encrypted with a customer-managed KMS key. */
export const sqsKmsEncryption: ResourceValidationPolicy = {
  name: 'sqs-kms-encryption',
  description: 'SQS queues must be encrypted with a customer-managed KMS key (kmsMasterKeyId).',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([QUEUE], ({ name, props }, report) => {
    const key = str(props.kmsMasterKeyId);
    if (!key || awsManaged(key)) {
      report(
        `${label(QUEUE, name)} must be encrypted with a customer-managed KMS key (kmsMasterKeyId is ${JSON.stringify(key ?? null)}); ` +
          "set kmsMasterKeyId to the platform key's ARN (SQS-managed SSE and alias/aws/sqs are not enough).",
      );
    }
  }),
};

/** The name a queue URL or ARN ends with. */
const queueNameOf = (ref: unknown): string | undefined => str(ref)?.split(/[/:]/).pop();

interface QueueView {
  readonly r: PolicyResource;
  readonly name: string;
  readonly region: string | undefined;
}

function queuesOf(resources: readonly PolicyResource[]): QueueView[] {
  return resources
    .filter((r) => r.type === QUEUE)
    .map((r) => ({ r, name: physicalName(r), region: regionOf(r) }));
}

/** The resources that attach something to a queue by URL (`queueUrl`), by queue name and region. */
function attachedTo(resources: readonly PolicyResource[], type: string, q: QueueView): PolicyResource[] {
  return resources.filter((r) => {
    if (r.type !== type || queueNameOf((r.props as Props).queueUrl) !== q.name) return false;
    const region = regionOf(r);
    return region === undefined || q.region === undefined || region === q.region;
  });
}

/** Configuration of `sqs-dead-letter-queue`. */
export interface DeadLetterConfig {
  /** @default 3 */
  readonly minMaxReceiveCount?: number;
  /** @default 10 */
  readonly maxMaxReceiveCount?: number;
}

/** Every work queue has a DLQ, through a redrive policy whose maxReceiveCount is within bounds. */
export const sqsDeadLetterQueue: StackValidationPolicy = {
  name: 'sqs-dead-letter-queue',
  description:
    'SQS work queues must have a dead-letter queue through a redrive policy whose maxReceiveCount is within the configured bounds.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { minMaxReceiveCount: { type: 'integer' }, maxMaxReceiveCount: { type: 'integer' } },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<DeadLetterConfig>() ?? {};
    const [lo, hi] = [config.minMaxReceiveCount ?? 3, config.maxMaxReceiveCount ?? 10];
    const queues = queuesOf(args.resources);
    const redriveOf = (q: QueueView): Props | undefined =>
      jsonDoc((q.r.props as Props).redrivePolicy) ??
      attachedTo(args.resources, REDRIVE_POLICY, q)
        .map((p) => jsonDoc((p.props as Props).redrivePolicy))
        .find((d) => d !== undefined);
    const targets = new Set(
      queues.map((q) => queueNameOf(redriveOf(q)?.deadLetterTargetArn)).filter(Boolean),
    );
    for (const q of queues) {
      const props = q.r.props as Props;
      const isDlq =
        targets.has(q.name) || /-dlq(\.fifo)?$/.test(q.name) || props.redriveAllowPolicy !== undefined;
      if (isDlq) continue;
      const redrive = redriveOf(q);
      const target = str(redrive?.deadLetterTargetArn);
      const count = num(redrive?.maxReceiveCount);
      if (!target || count === undefined || count < lo || count > hi) {
        reportViolation(
          `${label(QUEUE, q.r.name)} must send failed messages to a dead-letter queue with maxReceiveCount between ${lo} and ${hi} ` +
            `(redrivePolicy ${redrive ? JSON.stringify(redrive) : 'is not set'}); set redrivePolicy to ` +
            `JSON.stringify({ deadLetterTargetArn: <dlq.arn>, maxReceiveCount }) (config messaging.maxReceiveCount).`,
          q.r.urn,
        );
      }
    }
  },
};

const denyAllInsecure = (s: Statement): boolean => {
  if (s.effect !== 'Deny' || !s.principals.wildcard) return false;
  if (!s.actions.some((a) => a === '*' || a.toLowerCase() === 'sqs:*')) return false;
  return Object.entries(s.condition).some(
    ([op, block]) => op === 'Bool' && arr(block['aws:SecureTransport']).some((v) => String(v) === 'false'),
  );
};

/** Every queue's policy denies any request not made over TLS. */
export const sqsTlsOnly: StackValidationPolicy = {
  name: 'sqs-tls-only',
  description:
    "SQS queues must have a queue policy that denies every request made without TLS (aws:SecureTransport 'false').",
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    for (const q of queuesOf(args.resources)) {
      const docs = [
        (q.r.props as Props).policy,
        ...attachedTo(args.resources, QUEUE_POLICY, q).map((p) => (p.props as Props).policy),
      ];
      if (!docs.some((d) => statementsOf(d).some(denyAllInsecure))) {
        reportViolation(
          `${label(QUEUE, q.r.name)} must have a queue policy that denies non-TLS access; add a QueuePolicy statement ` +
            `{ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: <queue arn>, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }.`,
          q.r.urn,
        );
      }
    }
  },
};

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/;

/** A wildcard principal in a queue policy is allowed only when conditioned to one SNS topic. */
const conditionedToTopic = (s: Statement): boolean =>
  Object.entries(s.condition).some(
    ([op, block]) =>
      /^Arn(Equals|Like)$/.test(op) &&
      Object.entries(block).some(
        ([k, v]) =>
          k.toLowerCase() === 'aws:sourcearn' &&
          arr(v).length > 0 &&
          arr(v).every((x) => SNS_ARN.test(String(x))),
      ),
  );

/** Queue policies grant nothing to a wildcard principal unless conditioned to the topic. */
export const sqsNoPublicPrincipal: ResourceValidationPolicy = {
  name: 'sqs-no-public-principal',
  description:
    'SQS queue policies must not allow a wildcard principal unless conditioned on aws:SourceArn of an SNS topic.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([QUEUE, QUEUE_POLICY], ({ type, name, props }, report) => {
    const bad = statementsOf(props.policy).filter(
      (s) => s.effect === 'Allow' && s.principals.wildcard && !conditionedToTopic(s),
    );
    if (bad.length > 0) {
      report(
        `${label(type, name)} must not allow a wildcard principal (statement ${bad.map((s) => s.sid ?? '<no Sid>').join(', ')}); ` +
          "name the principal, or condition the statement with ArnEquals { 'aws:SourceArn': <topic arn> }.",
      );
    }
  }),
};

// ---------------------------------------------------------------------------------------- SNS

/** SNS topics are encrypted with a customer-managed KMS key. */
export const snsKmsEncryption: ResourceValidationPolicy = {
  name: 'sns-kms-encryption',
  description: 'SNS topics must be encrypted with a customer-managed KMS key (kmsMasterKeyId).',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([TOPIC], ({ name, props }, report) => {
    const key = str(props.kmsMasterKeyId);
    if (!key || awsManaged(key)) {
      report(
        `${label(TOPIC, name)} must be encrypted with a customer-managed KMS key (kmsMasterKeyId is ${JSON.stringify(key ?? null)}); ` +
          "set kmsMasterKeyId to the platform key's ARN (not alias/aws/sns).",
      );
    }
  }),
};

/** Topic policies grant nothing to the public or a wildcard principal. */
export const snsNoPublicPrincipal: ResourceValidationPolicy = {
  name: 'sns-no-public-principal',
  description: 'SNS topic policies must not allow a public or wildcard principal.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([TOPIC, TOPIC_POLICY], ({ type, name, props }, report) => {
    const bad = statementsOf(props.policy).filter(
      (s) => s.effect === 'Allow' && (s.principals.wildcard || s.principals.aws.some((p) => p.includes('*'))),
    );
    if (bad.length > 0) {
      report(
        `${label(type, name)} must not allow a public or wildcard principal (statement ${bad.map((s) => s.sid ?? '<no Sid>').join(', ')}` +
          `${bad.some((s) => conditionKeys(s).length > 0) ? ', even conditioned' : ''}); name the publishing roles or services explicitly.`,
      );
    }
  }),
};

/** The streaming and messaging policies: Kinesis, SQS and SNS. */
export const streamingMessagingPolicies = [
  kinesisKmsEncryption,
  kinesisRetention,
  kinesisShardCapacity,
  sqsKmsEncryption,
  sqsDeadLetterQueue,
  sqsTlsOnly,
  sqsNoPublicPrincipal,
  snsKmsEncryption,
  snsNoPublicPrincipal,
];
