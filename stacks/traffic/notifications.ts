import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionKey } from '../data/keys';

/** The SNS topic the DR runbook notifies on, e.g. `prod-dr-runbook`. A name is a contract: it has a test. */
export const runbookTopicName = (env: string) => `${env}-dr-runbook`;

export interface RunbookNotificationsArgs {
  readonly environment: string;
  /**
   * The region the topic lives in: the DR region, which is healthy whenever the runbook runs (a
   * failover leaves the primary; a failback starts from DR).
   */
  readonly region: string;
  /** The platform key of that region; the topic is encrypted with it. */
  readonly key: RegionKey;
  /** Tags for the topic. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The topic the DR runbook publishes its audit summary to at the end of a failover, failback or drill.
 * Subscriptions (on-call e-mail, the paging integration) are added by the owners of those endpoints.
 */
export class RunbookNotifications extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;

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
    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
