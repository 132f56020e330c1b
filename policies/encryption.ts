import { ResourceValidationPolicy } from '@pulumi/policy';

type Props = Record<string, unknown>;
const obj = (v: unknown): Props | undefined => (v !== null && typeof v === 'object' ? (v as Props) : undefined);
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** How each data store says it is encrypted at rest with a customer-managed key. */
const CHECKS: Record<string, (p: Props) => string | undefined> = {
  'aws:dynamodb/table:Table': (p) =>
    obj(p.serverSideEncryption)?.enabled === true && nonEmpty(obj(p.serverSideEncryption)?.kmsKeyArn)
      ? undefined
      : 'serverSideEncryption must be enabled with a customer-managed kmsKeyArn',
  'aws:kinesis/stream:Stream': (p) =>
    p.encryptionType === 'KMS' && nonEmpty(p.kmsKeyId) ? undefined : "encryptionType must be 'KMS' with a kmsKeyId",
  'aws:sqs/queue:Queue': (p) => (nonEmpty(p.kmsMasterKeyId) ? undefined : 'kmsMasterKeyId must name the platform CMK'),
  'aws:sns/topic:Topic': (p) => (nonEmpty(p.kmsMasterKeyId) ? undefined : 'kmsMasterKeyId must name the platform CMK'),
  'aws:eks/cluster:Cluster': (p) => {
    const configs = Array.isArray(p.encryptionConfig) ? p.encryptionConfig : p.encryptionConfig ? [p.encryptionConfig] : [];
    const ok = configs.some((c) => {
      const cfg = obj(c);
      const resources = cfg?.resources;
      return Array.isArray(resources) && resources.includes('secrets') && nonEmpty(obj(cfg?.provider)?.keyArn);
    });
    return ok ? undefined : "encryptionConfig must envelope-encrypt 'secrets' with the platform CMK";
  },
};

/** Data at rest is encrypted with the platform's customer-managed KMS keys. */
export const encryptionAtRest: ResourceValidationPolicy = {
  name: 'encryption-at-rest',
  description: 'Data stores (DynamoDB, Kinesis, SQS, SNS, EKS secrets) must be encrypted with a customer-managed KMS key.',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    const problem = CHECKS[args.type]?.(args.props as Props);
    if (problem) reportViolation(`${args.type} '${args.name}' must be encrypted at rest: ${problem}.`);
  },
};

export const encryptionPolicies = [encryptionAtRest];
