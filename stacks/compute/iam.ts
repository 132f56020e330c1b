import * as pulumi from '@pulumi/pulumi';

/** An IAM policy statement, as plain data (serialized with JSON.stringify: no invoke, no wildcard by accident). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Principal?: Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, pulumi.Input<string> | readonly string[]>>>
  >;
}

/** Serializes a policy document whose resources may be Outputs. */
export function policyDocument(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** The trust policy of a role assumed by an AWS service, e.g. `eks.amazonaws.com`. */
export function serviceTrust(service: string, actions: readonly string[] = ['sts:AssumeRole']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }],
  });
}

/**
 * The trust policy of a role bound through EKS Pod Identity to exactly one ServiceAccount of one
 * cluster: `aws:SourceArn` is the cluster, and the session tags EKS sets name the namespace and the
 * ServiceAccount.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export function podIdentityTrust(
  clusterArn: pulumi.Input<string>,
  namespace: string,
  serviceAccount: string,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          ArnEquals: { 'aws:SourceArn': clusterArn },
          StringEquals: {
            'aws:RequestTag/kubernetes-namespace': namespace,
            'aws:RequestTag/kubernetes-service-account': serviceAccount,
          },
        },
      },
    ],
  });
}

/** An AWS managed policy ARN. */
export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;
