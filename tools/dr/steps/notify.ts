import { PublishCommand } from '@aws-sdk/client-sns';
import { keys } from '../control/keys';
import { regionOf } from '../operation';
import { Step } from './step';

/** The region of an ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export function arnRegion(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`not a regional ARN: ${arn}`);
  return region;
}

/**
 * Step 7. Records the run summary and notifies on-call through SNS, on the TARGET region's runbook
 * topic (the healthy one: a failback during an outage of the DR region still notifies). The
 * `notification` journal item makes the publish happen once per run: a re-run finds it and does not
 * publish again.
 * (A crash in the instant between the publish and that write would repeat the message: the
 * notification is at-least-once, never lost.)
 */
export const notify: Step = {
  id: 'notify',
  title: () => 'audit record and SNS notification',
  async run(ctx) {
    const sent = await ctx.control.get<{ messageId: string }>(keys.notification(ctx.run.runId));
    if (sent)
      return { detail: `already notified (message ${sent.messageId})`, data: { messageId: sent.messageId } };
    const { op, run, outputs } = ctx;
    const summary = {
      runId: run.runId,
      environment: outputs.environment,
      operation: op.kind,
      from: op.from,
      to: op.to,
      owner: run.owner,
      startedAt: run.startedAt,
      forceReason: ctx.forceReason ?? run.forceReason ?? null,
    };
    const topic = regionOf(outputs, op.to).notificationTopicArn;
    const out = await ctx.clients.sns(arnRegion(topic)).send(
      new PublishCommand({
        TopicArn: topic,
        Subject: `[${outputs.environment}] DR ${op.kind} ${op.from} -> ${op.to}: traffic moved`,
        Message: JSON.stringify(summary),
      }),
    );
    const messageId = out.MessageId ?? 'unknown';
    await ctx.control.put({
      ...keys.notification(run.runId),
      messageId,
      publishedAt: ctx.now().toISOString(),
      topic,
    });
    return { detail: `published to ${topic} (message ${messageId})`, data: { messageId, summary } };
  },
};
