import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { InvalidArgumentError } from '../errors';

/**
 * The canary reads of the DR runbook: `GetMetricData` on the canary's metrics, in the canary region.
 *
 * `cloudwatch:GetMetricData` supports no resource-level permissions (its Resource types column is
 * empty) and no namespace condition key (`cloudwatch:namespace` applies to `PutMetricData` only), so
 * `*` is its only valid resource; the global key `aws:RequestedRegion` narrows it to the canary region.
 * The runbook's other CloudWatch reads (ReplicationLatency, HealthCheckStatus in the regions) are
 * part of the on-call profile's own policy (docs/RUNBOOK.md, "Before you start").
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
 */
export function runbookCanaryReadPolicy(canaryRegion: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadCanaryMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricData'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': canaryRegion } },
      },
    ],
  });
}

/** `arn:aws:iam::<account>:role/<path/>name` -> its account and name, or throws naming the ARN. */
export function roleOfArn(arn: string): { account: string; name: string } {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!m) {
    throw new InvalidArgumentError(
      `'runbookRoleArns' has '${arn}'; expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  }
  return { account: m[1], name: m[2] };
}

export interface RunbookCanaryAccessArgs {
  readonly environment: string;
  /** `observability.canaryRegion`. */
  readonly canaryRegion: string;
  /** `observability.runbookRoleArns`: the roles the runbook runs as; each gets the policy attached. */
  readonly runbookRoleArns: readonly string[];
  /** The environment's account: a runbook role of another account cannot be attached to (refused). */
  readonly accountId: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A managed policy `<env>-risk-runbook-canary-read` ({@link runbookCanaryReadPolicy}) attached to each
 * runbook role, so `dr preflight` and `dr status` can read the canary's view of both regions.
 */
export class RunbookCanaryAccess extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;

  constructor(name: string, args: RunbookCanaryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:RunbookCanaryAccess', name, {}, opts);
    const roles = args.runbookRoleArns.map(roleOfArn);
    const policyName = `${args.environment}-risk-runbook-canary-read`;
    this.policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        name: policyName,
        description: `The DR runbook reads the canary's metrics in ${args.canaryRegion} (docs/RUNBOOK.md#canary)`,
        policy: runbookCanaryReadPolicy(args.canaryRegion),
        tags: { ...args.tags, Name: policyName },
      },
      { parent: this },
    );
    for (const role of roles) {
      new aws.iam.RolePolicyAttachment(
        `${name}-${role.name}`,
        {
          role: pulumi.output(args.accountId).apply((account) => {
            if (account !== role.account) {
              throw new InvalidArgumentError(
                `runbook role '${role.name}' is in account ${role.account}; expected the environment's account ${account} (attach ${policyName} there yourself)`,
              );
            }
            return role.name;
          }),
          policyArn: this.policy.arn,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ policyArn: this.policy.arn });
  }
}
