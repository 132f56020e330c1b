import { ResourceValidationPolicy } from '@pulumi/policy';
import { REQUIRED_TAG_KEYS } from '../stacks/config/load';
import { tagsOf } from './types';

/**
 * AWS resource types that take no `tags` input: the required-tags rule skips them.
 * Everything else under `aws:` is expected to be tagged.
 */
export const UNTAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([
  'aws:ec2/routeTableAssociation:RouteTableAssociation',
  'aws:ec2/route:Route',
  'aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  'aws:kinesis/streamConsumer:StreamConsumer',
  'aws:sqs/queuePolicy:QueuePolicy',
  'aws:sqs/redrivePolicy:RedrivePolicy',
  'aws:sqs/redriveAllowPolicy:RedriveAllowPolicy',
  'aws:sns/topicSubscription:TopicSubscription',
  'aws:sns/topicPolicy:TopicPolicy',
  'aws:kms/alias:Alias',
  'aws:eks/accessPolicyAssociation:AccessPolicyAssociation',
  'aws:appautoscaling/policy:Policy',
  // PutScheduledAction takes no tags (ScheduledActionArgs has no `tags`).
  'aws:appautoscaling/scheduledAction:ScheduledAction',
  'aws:route53/record:Record',
  'aws:acm/certificateValidation:CertificateValidation',
  'aws:route53recoverycontrol/cluster:Cluster',
  'aws:route53recoverycontrol/controlPanel:ControlPanel',
  'aws:route53recoverycontrol/routingControl:RoutingControl',
  'aws:route53recoverycontrol/safetyRule:SafetyRule',
  'aws:dynamodb/tableItem:TableItem',
  // A registry setting (one per account and region), not a taggable resource.
  'aws:ecr/replicationConfiguration:ReplicationConfiguration',
  // Issue 13 (audit trail, canary): bucket settings, log metric filters, Lambda permissions and
  // EventBridge targets take no tags input (pulumi-aws 7.48 typings).
  'aws:s3/bucketPolicy:BucketPolicy',
  'aws:s3/bucketVersioning:BucketVersioning',
  'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  'aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration',
  'aws:cloudwatch/logMetricFilter:LogMetricFilter',
  'aws:lambda/permission:Permission',
  'aws:cloudwatch/eventTarget:EventTarget',
]);

interface RequiredTagsConfig {
  readonly requiredTags?: readonly string[];
}

/** Every taggable AWS resource carries the ownership, cost and classification tags. */
export const requiredTags: ResourceValidationPolicy = {
  name: 'required-tags',
  description:
    'Taggable AWS resources must carry owner, cost-centre, data-classification and environment tags.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { requiredTags: { type: 'array', items: { type: 'string' } } },
  },
  validateResource: (args, reportViolation) => {
    if (!args.type.startsWith('aws:') || UNTAGGABLE_AWS_TYPES.has(args.type)) return;
    const required = args.getConfig<RequiredTagsConfig>().requiredTags ?? REQUIRED_TAG_KEYS;
    const tags = tagsOf(args.props) ?? {};
    const missing = required.filter((k) => typeof tags[k] !== 'string' || (tags[k] as string).length === 0);
    if (missing.length > 0) {
      reportViolation(
        `${args.type} '${args.name}' must carry the tags ${missing.join(', ')}; ` +
          'pass the environment tags (config.tags) to the resource.',
      );
    }
  },
};

export const taggingPolicies = [requiredTags];
