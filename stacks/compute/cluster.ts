import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { managedPolicy, policyDocument, serviceTrust } from './iam';
import { SUPPORTED_KUBERNETES_VERSIONS } from './versions';

/** Every EKS control-plane log type. */
export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * The IAM role name, in every account, of the CI deploy role (`pulumi up`) and the DR runbook's
 * operator: the cluster's administrator through an access entry.
 */
export const DEPLOYER_ROLE_NAME = 'risk-platform-deployer';

/** The EKS access policy that grants cluster-wide admin. */
export const CLUSTER_ADMIN_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** Node role policies EKS requires for managed nodes. */
export const NODE_ROLE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEKS_CNI_Policy',
] as const;

/** The label every scoring node carries; the charts do not select on it, operators do. */
export const NODE_POOL_LABEL = 'risk-platform/node-pool';

/** The `scalingConfig` of the managed node group. */
export interface NodeGroupScaling {
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

export interface EksClusterArgs {
  /** The AWS region (pulumi-aws v7 per-resource `region`). */
  readonly region: string;
  /** The physical cluster name, e.g. `prod-risk-us-west-2` (stacks/naming `clusterName`). */
  readonly clusterName: string;
  /** Kubernetes minor version; must be one of {@link SUPPORTED_KUBERNETES_VERSIONS} (EKS standard support). */
  readonly kubernetesVersion: string;
  /** The private subnets, one per AZ (exactly three): the control plane's ENIs and the node group span them. */
  readonly privateSubnets: readonly aws.ec2.Subnet[];
  /**
   * CIDRs allowed to reach the public API endpoint.
   * Note: an empty list turns the public endpoint off (private only, as in prod).
   */
  readonly publicAccessCidrs: readonly string[];
  /** The platform CMK (multi-region key or its replica) that envelope-encrypts Kubernetes Secrets. */
  readonly secretsKeyArn: pulumi.Input<string>;
  /** EC2 instance types of the managed node groups, in order of preference. */
  readonly nodeInstanceTypes: readonly string[];
  /** The node group's scaling config, from the capacity model (stacks/capacity `nodeGroupSize`). */
  readonly nodeScaling: NodeGroupScaling;
  /**
   * IAM principals granted cluster admin (AmazonEKSClusterAdminPolicy, cluster scope) through access entries.
   * @default - the account's `risk-platform-deployer` role ({@link DEPLOYER_ROLE_NAME})
   */
  readonly adminPrincipalArns?: readonly pulumi.Input<string>[];
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Checks the args; throws naming the field, the value and what was expected. */
export function validateClusterArgs(args: EksClusterArgs): void {
  const problems: string[] = [];
  if (!(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(args.kubernetesVersion)) {
    problems.push(
      `'kubernetesVersion' (${JSON.stringify(args.kubernetesVersion)}) must be a version in EKS standard support: one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    );
  }
  if (args.privateSubnets.length !== 3) {
    problems.push(
      `'privateSubnets' (${args.privateSubnets.length} subnets) must list exactly 3 subnets, one per AZ`,
    );
  }
  if (args.nodeInstanceTypes.length === 0)
    problems.push(`'nodeInstanceTypes' ([]) must list at least one instance type`);
  const s = args.nodeScaling;
  if (!(s.minSize >= 1 && s.minSize <= s.desiredSize && s.desiredSize <= s.maxSize)) {
    problems.push(
      `'nodeScaling' (min ${s.minSize}, desired ${s.desiredSize}, max ${s.maxSize}) must satisfy 1 <= min <= desired <= max`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * One region's EKS cluster:
 * - private API endpoint; the public one only from allow-listed CIDRs, off when there are none;
 * - every control-plane log type, shipped to a log group with a retention;
 * - Kubernetes Secrets envelope-encrypted with the platform CMK;
 * - access entries (authentication mode `API`) instead of the aws-auth ConfigMap;
 * - a managed node group over the three zones' private subnets, sized from the capacity model.
 */
export class EksCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  readonly clusterName: string;
  readonly region: string;
  readonly nodeRole: aws.iam.Role;
  readonly nodeGroups: aws.eks.NodeGroup[];
  readonly endpoint: pulumi.Output<string>;
  /** Base64 PEM of the cluster CA. */
  readonly certificateAuthority: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Resources that must exist before anything is scheduled on the cluster (node groups, access). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:Cluster', name, {}, opts);
    validateClusterArgs(args);
    const { region, clusterName } = args;
    const parent = { parent: this };
    const tags = { ...args.tags, Name: clusterName };
    this.clusterName = clusterName;
    this.region = region;

    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      {
        name: `${clusterName}-cluster`,
        assumeRolePolicy: serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
        tags,
      },
      parent,
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-cluster-policy`,
      { role: clusterRole.name, policyArn: managedPolicy('AmazonEKSClusterPolicy') },
      parent,
    );
    // The key policy alone is not enough: the cluster role needs these to wrap the Secrets' data keys.
    const kmsPolicy = new aws.iam.RolePolicy(
      `${name}-cluster-kms`,
      {
        role: clusterRole.name,
        policy: policyDocument([
          {
            Sid: 'EnvelopeEncryptSecrets',
            Effect: 'Allow',
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
            Resource: args.secretsKeyArn,
          },
        ]),
      },
      parent,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { region, name: `/aws/eks/${clusterName}/cluster`, retentionInDays: 90, tags },
      parent,
    );

    const publicEndpoint = args.publicAccessCidrs.length > 0;
    this.cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        region,
        name: clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnets.map((s) => s.id),
          endpointPrivateAccess: true,
          endpointPublicAccess: publicEndpoint,
          ...(publicEndpoint ? { publicAccessCidrs: [...args.publicAccessCidrs] } : {}),
        },
        enabledClusterLogTypes: [...CLUSTER_LOG_TYPES],
        encryptionConfig: { resources: ['secrets'], provider: { keyArn: args.secretsKeyArn } },
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
        // Refuse to slide silently into (paid) extended support: an unplanned upgrade is a plan diff.
        upgradePolicy: { supportType: 'STANDARD' },
        tags,
      },
      { parent: this, dependsOn: [clusterPolicy, kmsPolicy, logGroup] },
    );
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthority = this.cluster.certificateAuthority.apply((ca) => ca.data ?? '');
    this.arn = this.cluster.arn;

    // Admins: the deploy role (and runbook operator) of this account, by name convention.
    const admins = args.adminPrincipalArns ?? [
      aws
        .getCallerIdentityOutput({}, parent)
        .accountId.apply((account) => `arn:aws:iam::${account}:role/${DEPLOYER_ROLE_NAME}`),
    ];
    const access: pulumi.Resource[] = [];
    admins.forEach((principalArn, i) => {
      const suffix = admins.length === 1 ? 'admin' : `admin-${i}`;
      const entry = new aws.eks.AccessEntry(
        `${name}-${suffix}`,
        { region, clusterName: this.cluster.name, principalArn, type: 'STANDARD', tags },
        parent,
      );
      access.push(
        entry,
        new aws.eks.AccessPolicyAssociation(
          `${name}-${suffix}`,
          {
            region,
            clusterName: this.cluster.name,
            principalArn: entry.principalArn,
            policyArn: CLUSTER_ADMIN_POLICY_ARN,
            accessScope: { type: 'cluster' },
          },
          parent,
        ),
      );
    });

    this.nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { name: `${clusterName}-node`, assumeRolePolicy: serviceTrust('ec2.amazonaws.com'), tags },
      parent,
    );
    const nodePolicies = NODE_ROLE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: this.nodeRole.name, policyArn: managedPolicy(policy) },
          parent,
        ),
    );
    // Explicit, so the nodes' access is visible in the plan and checked by policy (EKS would create
    // an equivalent entry for a managed node group's role on its own).
    const nodeAccess = new aws.eks.AccessEntry(
      `${name}-nodes`,
      { region, clusterName: this.cluster.name, principalArn: this.nodeRole.arn, type: 'EC2_LINUX', tags },
      parent,
    );

    // One group over the three zones (the `eks-node-group-azs` policy): the ASG rebalances across
    // zones, and the cluster autoscaler grows it when the zone-spread pods are pending.
    this.nodeGroups = [
      new aws.eks.NodeGroup(
        `${name}-nodes`,
        {
          region,
          clusterName: this.cluster.name,
          nodeGroupName: `${clusterName}-scoring`,
          nodeRoleArn: this.nodeRole.arn,
          subnetIds: args.privateSubnets.map((s) => s.id),
          instanceTypes: [...args.nodeInstanceTypes],
          amiType: 'AL2023_x86_64_STANDARD',
          capacityType: 'ON_DEMAND',
          version: args.kubernetesVersion,
          scalingConfig: { ...args.nodeScaling },
          updateConfig: { maxUnavailablePercentage: 33 },
          labels: { [NODE_POOL_LABEL]: 'scoring' },
          tags: { ...tags, Name: `${clusterName}-scoring` },
        },
        // The cluster autoscaler owns the desired size once the group exists.
        {
          parent: this,
          dependsOn: [...nodePolicies, nodeAccess],
          ignoreChanges: ['scalingConfig.desiredSize'],
        },
      ),
    ];

    this.ready = [...this.nodeGroups, ...access];
    this.registerOutputs({ name: clusterName, arn: this.arn, endpoint: this.endpoint });
  }
}
