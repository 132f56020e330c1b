import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionKey } from '../data/keys';
import { runbookTopicPolicy } from '../data/policy-documents';

/** The SNS topic the DR runbook notifies on, e.g. `prod-dr-runbook`. A name is a contract: it has a test. */
export const runbookTopicName = (env: string) => `${env}-dr-runbook`;

export interface RunbookNotificationsArgs {
  readonly environment: string;
  /**
   * The region the topic lives in. There is one topic per region, and the runbook publishes to the
   * target region's (the healthy one), so a failback during an outage of the DR region still notifies.
   */
  readonly region: string;
  /** The platform key of that region; the topic is encrypted with it. */
  readonly key: RegionKey;
  /** The account whose principals (the on-call engineers' roles, with an IAM grant) may publish. */
  readonly accountId: pulumi.Input<string>;
  /** Tags for the topic. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One region's topic the DR runbook publishes its audit summary to at the end of a failover, failback
 * or drill: KMS-encrypted with the region's key, TLS only, publish for the account's principals only.
 * Subscriptions (on-call e-mail, the paging integration) are added by the owners of those endpoints,
 * to the topic of each region.
 */
export class RunbookNotifications extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly policy: aws.sns.TopicPolicy;

  constructor(name: string, args: RunbookNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:traffic:RunbookNotifications', name, {}, opts);
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      {
        region: args.region,
        name: runbookTopicName(args.environment),
        kmsMasterKeyId: args.key.arn,
        tags: { ...args.tags, Name: runbookTopicName(args.environment) },
      },
      { parent: this },
    );
    this.policy = new aws.sns.TopicPolicy(
      `${name}-topic`,
      {
        region: args.region,
        arn: this.topic.arn,
        policy: pulumi
          .all([this.topic.arn, pulumi.output(args.accountId)])
          .apply(([topicArn, accountId]) => JSON.stringify(runbookTopicPolicy({ topicArn, accountId }))),
      },
      { parent: this },
    );
    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
