/**
 * Least-privilege permissions of the ingress add-ons (AWS Load Balancer Controller, external-dns), as
 * pure functions of plain values: the tests read them without Pulumi, and the component serializes
 * them once the ARNs resolve.
 */
import { InputPolicyStatement as Statement } from '../data/policy-documents';
import { InvalidArgumentError } from '../errors';

/** The tag the AWS Load Balancer Controller puts on everything it creates, valued with the cluster name. */
export const LBC_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** What the controller's permissions are scoped to. */
export interface LoadBalancerControllerScope {
  readonly clusterName: string;
  readonly region: string;
  /** The cluster's VPC (`arn:aws:ec2:<region>:<account>:vpc/<id>`): security groups are managed in it only. */
  readonly vpcArn: string;
}

/** `arn:aws:ec2:us-west-2:123456789012:vpc/vpc-1` -> `{ partition, account }`; throws on anything else. */
function vpcParts(vpcArn: string): { partition: string; account: string } {
  const m = /^arn:(aws[a-z-]*):ec2:[a-z0-9-]+:(\d{12}):vpc\/.+$/.exec(vpcArn);
  if (!m)
    throw new InvalidArgumentError(
      `'vpcArn' (${JSON.stringify(vpcArn)}) must be a VPC ARN (arn:aws:ec2:<region>:<account>:vpc/<id>)`,
    );
  return { partition: m[1], account: m[2] };
}

/**
 * The AWS Load Balancer Controller's policy, cut down from the project's reference policy (at the
 * pinned app version, v2.14.0) to what an NLB for a Service needs:
 * - every Describe/Get action of the reference on `*` (they take no resource ARN; the controller calls
 *   some on every reconcile, e.g. `DescribeCapacityReservation`, `DescribeListenerAttributes`, and
 *   fails the Service without them);
 * - creating load balancers, target groups and security groups only with this cluster's tag;
 * - changing or deleting load balancers, target groups, security groups and listeners only when they
 *   carry this cluster's tag (the reference leaves listener changes on `*`);
 * - security-group rules only on groups in this cluster's VPC (the backend rules go on the node group).
 * Not granted: ALB/Ingress features, disabled in the chart values or unused by an NLB (WAF, Shield,
 * Cognito, certificate discovery, listener rules, IPAM pools); the test
 * `test/stacks/compute/ingress-iam.test.ts` lists each with its reason against the reference.
 * @see https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v2.14.0/docs/install/iam_policy.json
 */
export function loadBalancerControllerStatements(scope: LoadBalancerControllerScope): Statement[] {
  const { partition, account } = vpcParts(scope.vpcArn);
  const elb = `arn:${partition}:elasticloadbalancing:${scope.region}:${account}`;
  const securityGroups = `arn:${partition}:ec2:${scope.region}:${account}:security-group/*`;
  const ownedByCluster = { StringEquals: { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: scope.clusterName } };
  const taggedForCluster = { StringEquals: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: scope.clusterName } };
  const loadBalancers = `${elb}:loadbalancer/net/*/*`;
  const targetGroups = `${elb}:targetgroup/*/*`;
  const listeners = `${elb}:listener/net/*/*/*`;
  return [
    {
      Sid: 'CreateElbServiceLinkedRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'DescribeNetworkAndLoadBalancers',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:DescribeRouteTables',
        'ec2:DescribeCoipPools',
        'ec2:DescribeIpamPools',
        'ec2:GetCoipPoolUsage',
        'ec2:GetSecurityGroupsForVpc',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      Resource: '*',
    },
    {
      Sid: 'CreateSecurityGroupsInClusterVpc',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup'],
      Resource: [scope.vpcArn],
    },
    {
      Sid: 'CreateTaggedSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup'],
      Resource: [securityGroups],
      Condition: taggedForCluster,
    },
    {
      Sid: 'TagSecurityGroupsOnCreate',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [securityGroups],
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', ...taggedForCluster.StringEquals },
      },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup'],
      Resource: [securityGroups],
      Condition: ownedByCluster,
    },
    {
      Sid: 'ManageRulesInClusterVpc',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: [securityGroups],
      Condition: { ArnEquals: { 'ec2:Vpc': scope.vpcArn } },
    },
    {
      Sid: 'CreateTaggedLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: [loadBalancers, targetGroups],
      Condition: taggedForCluster,
    },
    {
      Sid: 'TagLoadBalancersOnCreate',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: [loadBalancers, targetGroups, listeners],
      Condition: {
        StringEquals: {
          'elasticloadbalancing:CreateAction': ['CreateLoadBalancer', 'CreateTargetGroup', 'CreateListener'],
        },
      },
    },
    {
      Sid: 'ManageOwnLoadBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
      ],
      Resource: [loadBalancers, targetGroups],
      Condition: ownedByCluster,
    },
    {
      // The reference allows these on "*"; here only on listeners carrying this cluster's tag, which the
      // controller puts on every listener it creates (TagLoadBalancersOnCreate, CreateListener).
      Sid: 'ManageOwnListeners',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
      ],
      Resource: [listeners],
      Condition: ownedByCluster,
    },
  ];
}

/** What external-dns may change: one hosted zone, and in it only the names it publishes. */
export interface ExternalDnsScope {
  /** The hosted zone's ARN (`arn:aws:route53:::hostedzone/<id>`). */
  readonly zoneArn: string;
  /** The record names this cluster publishes, e.g. `score-us-west-2.risk.example.com`. */
  readonly recordNames: readonly string[];
}

/**
 * external-dns's policy: record changes only in the zone, and only to the names this cluster publishes
 * (and their TXT ownership records, `<prefix>-<name>`), so a cluster can never rewrite the failover
 * record or the other region's name; list calls on the zone, and `ListHostedZones` (no resource).
 * @see https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/#iam-policy
 */
export function externalDnsStatements(scope: ExternalDnsScope): Statement[] {
  if (!/^arn:aws[a-z-]*:route53:::hostedzone\/[A-Z0-9]+$/.test(scope.zoneArn)) {
    throw new InvalidArgumentError(
      `'zoneArn' (${JSON.stringify(scope.zoneArn)}) must be a hosted zone ARN (arn:aws:route53:::hostedzone/<id>)`,
    );
  }
  if (scope.recordNames.length === 0)
    throw new InvalidArgumentError(`'recordNames' ([]) must list at least one name`);
  const names = scope.recordNames.flatMap((n) => [n.toLowerCase(), `*-${n.toLowerCase()}`]);
  return [
    {
      Sid: 'ChangeOwnRecordsInZone',
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: [scope.zoneArn],
      Condition: {
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
      },
    },
    {
      Sid: 'ReadZone',
      Effect: 'Allow',
      Action: ['route53:ListResourceRecordSets', 'route53:ListTagsForResource'],
      Resource: [scope.zoneArn],
    },
    { Sid: 'ListZones', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
  ];
}
