import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { managedPolicy, policyDocument, serviceTrust } from '../data/policy-documents';
import { SUPPORTED_KUBERNETES_VERSIONS } from './versions';
import { InvalidArgumentError } from '../errors';
import { zoneSlot } from '../config/zones';

/** Every EKS control-plane log type. */
export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/** The EKS access policy that grants cluster-wide admin. */
export const CLUSTER_ADMIN_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/**
 * The EKS access policy of the preview/drift role: read-only on every resource, Secrets included
 * (AmazonEKSViewPolicy cannot read Secrets, and pulumi-kubernetes reads a Helm release from its
 * release Secret on refresh).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 */
export const CLUSTER_VIEW_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';

/**
 * Node role policies EKS requires for managed nodes. Not `AmazonEKS_CNI_Policy`: aws-node gets it
 * through its own Pod Identity role (stacks/compute/addons.ts), so no pod that reaches the node
 * role could manage ENIs with it.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
 */
export const NODE_ROLE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryReadOnly',
] as const;

/**
 * The nodes' instance metadata options: IMDSv2 only, with a response hop limit of 1, so a pod on the
 * pod network (one hop more than the node) cannot reach IMDS and take the node role; host-network
 * pods (aws-node, kube-proxy, the Pod Identity agent) still can. Every add-on that would otherwise
 * ask IMDS for its region or VPC is given them (addons.ts).
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
 */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  httpPutResponseHopLimit: 1,
} as const;

/** The label every scoring node carries; the charts do not select on it, operators do. */
export const NODE_POOL_LABEL = 'risk-platform/node-pool';

/** The `scalingConfig` of one zone's managed node group. */
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
  /** The private subnets, one per AZ (exactly three): the control plane's ENIs span them, one node group per subnet. */
  readonly privateSubnets: readonly aws.ec2.Subnet[];
  /**
   * The AZ ID of each private subnet, in the same order, e.g. `usw2-az1`. Each zone's node group is
   * named by its slot in this list (`a`, `b`, `c`: stacks/config/zones.ts `zoneSlot`), not by an
   * account's zone name, so the physical group names stay those of the `us-west-2a/b/c` era.
   */
  readonly availabilityZoneIds: readonly string[];
  /**
   * CIDRs allowed to reach the public API endpoint.
   * Note: an empty list turns the public endpoint off (private only, as in prod).
   */
  readonly publicAccessCidrs: readonly string[];
  /**
   * CIDRs admitted on 443 to the API endpoint's ENIs (the cluster's additional security group): the
   * deploy runners and the DR runbook hosts (config `cluster.privateApiAccessCidrs`).
   * @default [] (the additional security group admits nothing; the EKS cluster security group still
   *   admits the nodes)
   */
  readonly privateApiAccessCidrs?: readonly string[];
  /** The VPC the cluster's additional security group lives in. */
  readonly vpcId: pulumi.Input<string>;
  /** The platform CMK (multi-region key or its replica) that envelope-encrypts Kubernetes Secrets. */
  readonly secretsKeyArn: pulumi.Input<string>;
  /** EC2 instance types of the managed node groups, in order of preference. */
  readonly nodeInstanceTypes: readonly string[];
  /**
   * The scaling config of each zone's node group, from the capacity model (stacks/capacity
   * `nodeGroupSize` split with `perZoneScaling`).
   */
  readonly nodeScaling: NodeGroupScaling;
  /**
   * IAM role ARNs granted cluster admin (AmazonEKSClusterAdminPolicy, cluster scope) through access
   * entries (config `cluster.adminRoleArns`). The CI deploy role must be one of them.
   */
  readonly adminRoleArns: readonly string[];
  /**
   * IAM role ARNs granted read-only access ({@link CLUSTER_VIEW_POLICY_ARN}, cluster scope): the
   * preview/drift role (config `cluster.viewerRoleArns`).
   * @default []
   */
  readonly viewerRoleArns?: readonly string[];
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The tags Cluster Autoscaler's auto-discovery (`--node-group-auto-discovery=asg:tag=...`) looks for.
 * EKS puts them on a managed group's Auto Scaling group itself; they are set on the node group too so
 * the plan shows which groups the autoscaler owns.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html
 */
export function clusterAutoscalerTags(clusterName: string): Record<string, string> {
  return {
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
  };
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
  if (args.availabilityZoneIds.length !== args.privateSubnets.length) {
    problems.push(
      `'availabilityZoneIds' (${args.availabilityZoneIds.length} zones) must give the AZ ID of each of the ${args.privateSubnets.length} private subnets`,
    );
  }
  if (args.adminRoleArns.length === 0)
    problems.push(`'adminRoleArns' ([]) must list at least one IAM role ARN (the CI deploy role)`);
  if (args.nodeInstanceTypes.length === 0)
    problems.push(`'nodeInstanceTypes' ([]) must list at least one instance type`);
  const s = args.nodeScaling;
  if (!(s.minSize >= 1 && s.minSize <= s.desiredSize && s.desiredSize <= s.maxSize)) {
    problems.push(
      `'nodeScaling' (min ${s.minSize}, desired ${s.desiredSize}, max ${s.maxSize}) must satisfy 1 <= min <= desired <= max`,
    );
  }
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('\n'));
}

/**
 * One region's EKS cluster:
 * - private API endpoint; the public one only from allow-listed CIDRs, off when there are none;
 * - every control-plane log type, shipped to a log group with a retention;
 * - Kubernetes Secrets envelope-encrypted with the platform CMK;
 * - access entries (authentication mode `API`) instead of the aws-auth ConfigMap;
 * - one managed node group per zone (same instance types and labels), each sized from the capacity
 *   model, so Cluster Autoscaler can grow the zone that has pending pods and keep the zones level
 *   (`balance-similar-node-groups`).
 */
export class EksCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  /**
   * The additional security group on the control plane's ENIs (`vpcConfig.securityGroupIds`): 443
   * from {@link EksClusterArgs.privateApiAccessCidrs}.
   */
  readonly apiSecurityGroup: aws.ec2.SecurityGroup;
  readonly clusterName: string;
  readonly region: string;
  readonly nodeRole: aws.iam.Role;
  readonly nodeGroups: aws.eks.NodeGroup[];
  /** The nodes' launch template (metadata options only: {@link NODE_METADATA_OPTIONS}). */
  readonly nodeLaunchTemplate: aws.ec2.LaunchTemplate;
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
    // EKS attaches the security groups of `vpcConfig.securityGroupIds` to the control plane's ENIs,
    // next to the cluster security group it creates (which admits only itself: nodes and control
    // plane). SGs are additive, so this one needs no egress rule (the cluster SG allows all egress).
    // @see https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html
    const apiCidrs = [...(args.privateApiAccessCidrs ?? [])];
    this.apiSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-api`,
      {
        region,
        vpcId: args.vpcId,
        name: `${clusterName}-api`,
        description: 'HTTPS to the EKS API endpoint from the deploy runners and runbook hosts',
        ingress: apiCidrs.map((cidrBlock) => ({
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [cidrBlock],
          description: 'deploy runners / runbook (cluster.privateApiAccessCidrs)',
        })),
        tags: { ...tags, Name: `${clusterName}-api` },
      },
      parent,
    );
    this.cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        region,
        name: clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnets.map((s) => s.id),
          // Updatable in place (UpdateClusterConfig, 2023-10; not ForceNew in the provider).
          securityGroupIds: [this.apiSecurityGroup.id],
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

    // Admins: the roles the config names (the CI deploy role and the on-call break-glass role).
    // Viewers: the preview/drift role reads every object (and the Helm release Secrets) on refresh.
    const access: pulumi.Resource[] = [];
    const grants = [
      { kind: 'admin', roleArns: args.adminRoleArns, policyArn: CLUSTER_ADMIN_POLICY_ARN },
      { kind: 'viewer', roleArns: args.viewerRoleArns ?? [], policyArn: CLUSTER_VIEW_POLICY_ARN },
    ] as const;
    for (const { kind, roleArns, policyArn } of grants) {
      roleArns.forEach((principalArn, i) => {
        const suffix = roleArns.length === 1 ? kind : `${kind}-${i}`;
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
              policyArn,
              accessScope: { type: 'cluster' },
            },
            parent,
          ),
        );
      });
    }

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

    // A managed node group takes its launch template at creation only ("After node group creation,
    // you cannot use a different ID"): the groups with the template are new groups (`-v2` names) that
    // Pulumi creates before it deletes the old ones, which EKS drains.
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        region,
        name: `${clusterName}-nodes`,
        description: 'EKS managed nodes: IMDSv2 only, hop limit 1',
        metadataOptions: { ...NODE_METADATA_OPTIONS },
        updateDefaultVersion: true,
        tags,
      },
      parent,
    );

    // One group per zone (the `eks-node-group-azs` policy counts the zones of a cluster's groups
    // together): Cluster Autoscaler picks the zone whose pods are pending and, with
    // `balance-similar-node-groups`, keeps the groups level.
    this.nodeGroups = args.privateSubnets.map((subnet, i) => {
      const zone = zoneSlot(i);
      const groupName = `${clusterName}-scoring-${zone}-v2`;
      return new aws.eks.NodeGroup(
        `${name}-nodes-${zone}`,
        {
          region,
          clusterName: this.cluster.name,
          nodeGroupName: groupName,
          nodeRoleArn: this.nodeRole.arn,
          subnetIds: [subnet.id],
          instanceTypes: [...args.nodeInstanceTypes],
          amiType: 'AL2023_x86_64_STANDARD',
          capacityType: 'ON_DEMAND',
          version: args.kubernetesVersion,
          scalingConfig: { ...args.nodeScaling },
          updateConfig: { maxUnavailablePercentage: 33 },
          launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
          labels: { [NODE_POOL_LABEL]: 'scoring' },
          tags: {
            ...tags,
            ...clusterAutoscalerTags(clusterName),
            Name: groupName,
            'availability-zone-id': args.availabilityZoneIds[i],
          },
        },
        // The cluster autoscaler owns the desired size once the group exists.
        {
          parent: this,
          dependsOn: [...nodePolicies, nodeAccess],
          ignoreChanges: ['scalingConfig.desiredSize'],
        },
      );
    });

    this.nodeLaunchTemplate = launchTemplate;
    this.ready = [...this.nodeGroups, ...access];
    this.registerOutputs({ name: clusterName, arn: this.arn, endpoint: this.endpoint });
  }
}
