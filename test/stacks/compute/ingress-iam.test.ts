import { LBC_CLUSTER_TAG, loadBalancerControllerStatements } from '../../../stacks/compute/ingress-iam';
import { HELM_CHARTS } from '../../../stacks/compute/versions';

/**
 * The action set of the AWS Load Balancer Controller's reference policy, vendored from
 * kubernetes-sigs/aws-load-balancer-controller `docs/install/iam_policy.json` for app v2.14.0 (Helm chart
 * 1.14.0, stacks/compute/versions.ts), every statement's `Action` flattened and de-duplicated.
 * On a controller upgrade, replace this list with the new version's and let the test show the diff.
 */
const REFERENCE_VERSION = { chart: '1.14.0', app: 'v2.14.0' };
const REFERENCE_ACTIONS = [
  'iam:CreateServiceLinkedRole',
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
  'ec2:GetCoipPoolUsage',
  'ec2:DescribeCoipPools',
  'ec2:GetSecurityGroupsForVpc',
  'ec2:DescribeIpamPools',
  'ec2:DescribeRouteTables',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeSSLPolicies',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTrustStores',
  'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeCapacityReservation',
  'cognito-idp:DescribeUserPoolClient',
  'acm:ListCertificates',
  'acm:DescribeCertificate',
  'iam:ListServerCertificates',
  'iam:GetServerCertificate',
  'waf-regional:GetWebACL',
  'waf-regional:GetWebACLForResource',
  'waf-regional:AssociateWebACL',
  'waf-regional:DisassociateWebACL',
  'wafv2:GetWebACL',
  'wafv2:GetWebACLForResource',
  'wafv2:AssociateWebACL',
  'wafv2:DisassociateWebACL',
  'shield:GetSubscriptionState',
  'shield:DescribeProtection',
  'shield:CreateProtection',
  'shield:DeleteProtection',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:CreateSecurityGroup',
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'ec2:DeleteSecurityGroup',
  'elasticloadbalancing:CreateLoadBalancer',
  'elasticloadbalancing:CreateTargetGroup',
  'elasticloadbalancing:CreateListener',
  'elasticloadbalancing:DeleteListener',
  'elasticloadbalancing:CreateRule',
  'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:AddTags',
  'elasticloadbalancing:RemoveTags',
  'elasticloadbalancing:ModifyLoadBalancerAttributes',
  'elasticloadbalancing:SetIpAddressType',
  'elasticloadbalancing:SetSecurityGroups',
  'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:DeleteLoadBalancer',
  'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes',
  'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:ModifyListenerAttributes',
  'elasticloadbalancing:ModifyCapacityReservation',
  'elasticloadbalancing:ModifyIpPools',
  'elasticloadbalancing:RegisterTargets',
  'elasticloadbalancing:DeregisterTargets',
  'elasticloadbalancing:SetWebAcl',
  'elasticloadbalancing:ModifyListener',
  'elasticloadbalancing:AddListenerCertificates',
  'elasticloadbalancing:RemoveListenerCertificates',
  'elasticloadbalancing:ModifyRule',
  'elasticloadbalancing:SetRulePriorities',
];

/** Reference actions deliberately not granted: the scoring API is one NLB for a Service, no ALB/Ingress. */
const NOT_GRANTED: Readonly<Record<string, string>> = {
  'cognito-idp:DescribeUserPoolClient': 'ALB authentication (Ingress only)',
  'acm:ListCertificates': 'certificate discovery (the Service names its certificate ARN)',
  'acm:DescribeCertificate': 'certificate discovery (the Service names its certificate ARN)',
  'iam:ListServerCertificates': 'certificate discovery (the Service names its certificate ARN)',
  'iam:GetServerCertificate': 'certificate discovery (the Service names its certificate ARN)',
  'waf-regional:GetWebACL': 'WAF Classic (enableWaf: false)',
  'waf-regional:GetWebACLForResource': 'WAF Classic (enableWaf: false)',
  'waf-regional:AssociateWebACL': 'WAF Classic (enableWaf: false)',
  'waf-regional:DisassociateWebACL': 'WAF Classic (enableWaf: false)',
  'wafv2:GetWebACL': 'WAFv2 (enableWafv2: false)',
  'wafv2:GetWebACLForResource': 'WAFv2 (enableWafv2: false)',
  'wafv2:AssociateWebACL': 'WAFv2 (enableWafv2: false)',
  'wafv2:DisassociateWebACL': 'WAFv2 (enableWafv2: false)',
  'shield:GetSubscriptionState': 'Shield Advanced (enableShield: false)',
  'shield:DescribeProtection': 'Shield Advanced (enableShield: false)',
  'shield:CreateProtection': 'Shield Advanced (enableShield: false)',
  'shield:DeleteProtection': 'Shield Advanced (enableShield: false)',
  'elasticloadbalancing:CreateRule': 'ALB listener rules (an NLB has none)',
  'elasticloadbalancing:DeleteRule': 'ALB listener rules (an NLB has none)',
  'elasticloadbalancing:ModifyRule': 'ALB listener rules (an NLB has none)',
  'elasticloadbalancing:SetRulePriorities': 'ALB listener rules (an NLB has none)',
  'elasticloadbalancing:SetWebAcl': 'WAF on an ALB',
  'elasticloadbalancing:ModifyIpPools': 'IPAM pools for an ALB',
};

const statements = loadBalancerControllerStatements({
  clusterName: 'prod-risk-us-west-2',
  region: 'us-west-2',
  vpcArn: 'arn:aws:ec2:us-west-2:123456789012:vpc/vpc-0abc',
});
const granted = [...new Set(statements.flatMap((s) => s.Action as string[]))].sort();
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe('the AWS Load Balancer Controller policy against the reference', () => {
  test('the vendored reference is of the pinned controller chart', () => {
    expect(HELM_CHARTS.awsLoadBalancerController.version).toBe(REFERENCE_VERSION.chart);
  });

  test('grants every reference action except the listed ALB/Ingress ones, and nothing else', () => {
    expect(granted).toEqual(sorted(REFERENCE_ACTIONS.filter((a) => !(a in NOT_GRANTED))));
  });

  test('every action listed as not granted is in the reference', () => {
    expect(Object.keys(NOT_GRANTED).filter((a) => !REFERENCE_ACTIONS.includes(a))).toEqual([]);
  });

  test('grants the reads v2.14 calls on every reconcile: IPAM pools and capacity reservations', () => {
    const reads = statements.find((s) => s.Sid === 'DescribeNetworkAndLoadBalancers');
    expect(reads?.Resource).toBe('*');
    expect(reads?.Condition).toBeUndefined();
    expect(reads?.Action).toEqual(
      expect.arrayContaining([
        'ec2:DescribeIpamPools',
        'elasticloadbalancing:DescribeCapacityReservation',
        'elasticloadbalancing:DescribeListenerAttributes',
      ]),
    );
  });

  test('every action on "*" without a condition is a Describe or Get', () => {
    const onStar = statements.filter((s) => s.Resource === '*' && s.Condition === undefined);
    expect(
      onStar.flatMap((s) => s.Action as string[]).filter((a) => !/^[a-z0-9-]+:(Describe|Get)/.test(a)),
    ).toEqual([]);
  });

  test("modifies and deletes listeners only when they carry this cluster's tag", () => {
    const listenerChanges = statements.filter((s) =>
      (s.Action as string[]).some((a) =>
        ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:DeleteListener'].includes(a),
      ),
    );
    expect(listenerChanges).toHaveLength(1);
    expect(listenerChanges[0].Resource).toEqual([
      'arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/net/*/*/*',
    ]);
    expect(listenerChanges[0].Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: 'prod-risk-us-west-2' },
    });
  });

  test("changes capacity reservations only on this cluster's load balancers", () => {
    const [reservation] = statements.filter((s) =>
      (s.Action as string[]).includes('elasticloadbalancing:ModifyCapacityReservation'),
    );
    expect(reservation.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: 'prod-risk-us-west-2' },
    });
  });
});
