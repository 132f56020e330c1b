import type { RoleRef } from '../data/identities';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { InputPolicyStatement, podIdentityTrustPolicy, policyDocument } from '../data/policy-documents';
import { InvalidArgumentError } from '../errors';

/** The cluster a Pod Identity binding lives in. */
export interface PodIdentityCluster {
  readonly region: string;
  readonly cluster: { readonly name: pulumi.Input<string> };
  readonly arn: pulumi.Input<string>;
}

/** One ServiceAccount of one cluster and the role its pods get. */
export interface PodIdentityBinding {
  readonly cluster: PodIdentityCluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: RoleRef;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The one place an `aws.eks.PodIdentityAssociation` is created: binds `role` to the ServiceAccount
 * `namespace/serviceAccount` of the cluster. The caller names it and passes `{ parent }`, so its URN
 * stays where it was.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
 */
export function podIdentityAssociation(
  name: string,
  b: PodIdentityBinding,
  opts: pulumi.CustomResourceOptions,
): aws.eks.PodIdentityAssociation {
  return new aws.eks.PodIdentityAssociation(
    name,
    {
      region: b.cluster.region,
      clusterName: b.cluster.cluster.name,
      namespace: b.namespace,
      serviceAccount: b.serviceAccount,
      roleArn: b.role.arn,
      tags: { ...b.tags },
    },
    opts,
  );
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>` -> `<account>`; throws on anything else. */
export function accountOfClusterArn(clusterArn: string): string {
  const m = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:(\d{12}):cluster\/.+$/.exec(clusterArn);
  if (!m)
    throw new InvalidArgumentError(
      `'clusterArn' (${JSON.stringify(clusterArn)}) must be an EKS cluster ARN (arn:aws:eks:<region>:<account>:cluster/<name>)`,
    );
  return m[1];
}

/**
 * The trust policy of a role for one ServiceAccount of one cluster (the shared
 * {@link podIdentityTrustPolicy}, serialized once the cluster's ARN resolves).
 */
export function clusterPodIdentityTrust(
  clusterArn: pulumi.Input<string>,
  namespace: string,
  serviceAccount: string,
): pulumi.Output<string> {
  return pulumi.output(clusterArn).apply((arn) =>
    JSON.stringify(
      podIdentityTrustPolicy({
        accountId: accountOfClusterArn(arn),
        clusterArns: [arn],
        namespace,
        serviceAccount,
      }),
    ),
  );
}

/** What {@link podIdentityRole} creates. */
export interface PodIdentityRole {
  readonly role: aws.iam.Role;
  readonly association: aws.eks.PodIdentityAssociation;
}

/**
 * A role for one add-on ServiceAccount: the role `${name}-${id}-role` (physical `roleName`) trusting
 * only that ServiceAccount, its inline policy `${name}-${id}`, and its Pod Identity association
 * `${name}-${id}`, all children of `parent`.
 */
export function podIdentityRole(
  parent: pulumi.Resource,
  name: string,
  id: string,
  args: Omit<PodIdentityBinding, 'role'> & {
    readonly roleName: string;
    readonly policy: readonly InputPolicyStatement[] | pulumi.Output<string>;
  },
): PodIdentityRole {
  const opts = { parent };
  const role = new aws.iam.Role(
    `${name}-${id}-role`,
    {
      name: args.roleName,
      assumeRolePolicy: clusterPodIdentityTrust(args.cluster.arn, args.namespace, args.serviceAccount),
      tags: { ...args.tags },
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${name}-${id}`,
    {
      role: role.name,
      policy: pulumi.Output.isInstance(args.policy)
        ? args.policy
        : policyDocument(args.policy as readonly InputPolicyStatement[]),
    },
    opts,
  );
  return { role, association: podIdentityAssociation(`${name}-${id}`, { ...args, role }, opts) };
}
