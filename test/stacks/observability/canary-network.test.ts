import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import { planCanarySubnets } from '../../../stacks/observability/canary-cidr';

/** Issue 13: the canary's network path to the internal NLBs (VPC in the third region, peered with each). */

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});
const inCanaryNetwork = (type: string) => ofType(plan, type).filter((r) => r.urn.includes('CanaryNetwork'));
const stackOf = (r: PlannedResource) => /^urn:pulumi:([^:]+)::/.exec(r.urn)![1];
const REGIONS = [
  { region: 'us-west-2', cidr: '10.40.0.0/16' },
  { region: 'us-east-1', cidr: '10.41.0.0/16' },
];

describe('the canary VPC (prod-global, us-east-2)', () => {
  test('is the configured /24 in the canary region, in the global stack, with DNS on', () => {
    const [vpc] = inCanaryNetwork('aws:ec2/vpc:Vpc');
    expect(stackOf(vpc)).toBe('prod-global');
    expect(vpc.region).toBe('us-east-2');
    expect(vpc.props).toMatchObject({
      cidrBlock: '10.42.0.0/24',
      enableDnsSupport: true,
      enableDnsHostnames: true,
    });
  });

  test('has one private subnet per AZ ID, as planCanarySubnets cuts it, and no internet path', () => {
    const subnets = inCanaryNetwork('aws:ec2/subnet:Subnet').map((s) => ({
      availabilityZoneId: s.props.availabilityZoneId,
      cidr: s.props.cidrBlock,
      mapPublicIpOnLaunch: s.props.mapPublicIpOnLaunch,
    }));
    expect(subnets).toEqual(
      planCanarySubnets('10.42.0.0/24', ['use2-az1', 'use2-az2']).map((s) => ({
        ...s,
        mapPublicIpOnLaunch: false,
      })),
    );
    expect(subnets.map((s) => s.cidr)).toEqual(['10.42.0.0/25', '10.42.0.128/25']);
    for (const type of ['aws:ec2/internetGateway:InternetGateway', 'aws:ec2/natGateway:NatGateway']) {
      expect(inCanaryNetwork(type)).toEqual([]);
    }
  });

  test('its route table has no inline routes (the regional stacks add theirs as aws.ec2.Route)', () => {
    const [rt] = inCanaryNetwork('aws:ec2/routeTable:RouteTable');
    expect(rt.props.routes).toBeUndefined();
    expect(inCanaryNetwork('aws:ec2/routeTableAssociation:RouteTableAssociation')).toHaveLength(2);
  });

  test("the Lambda's security group: no ingress, egress 443 to each regional VPC and its own VPC only", () => {
    const sg = inCanaryNetwork('aws:ec2/securityGroup:SecurityGroup').find(
      (s) => s.name === 'canary-network-lambda',
    )!;
    expect(sg.props.ingress).toEqual([]);
    expect(sg.props.egress).toEqual([
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ['10.40.0.0/16'],
        description: 'scoring NLB in us-west-2 (peering)',
      },
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ['10.41.0.0/16'],
        description: 'scoring NLB in us-east-1 (peering)',
      },
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ['10.42.0.0/24'],
        description: 'CloudWatch interface endpoint',
      },
    ]);
  });

  test('PutMetricData stays in the VPC: a monitoring interface endpoint with private DNS in both subnets', () => {
    const [ep] = inCanaryNetwork('aws:ec2/vpcEndpoint:VpcEndpoint');
    expect(ep.region).toBe('us-east-2');
    expect(ep.props).toMatchObject({
      serviceName: 'com.amazonaws.us-east-2.monitoring',
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: ['canary-network-use2-az1-id', 'canary-network-use2-az2-id'],
      securityGroupIds: ['canary-network-endpoint-id'],
    });
  });

  test('the canary function runs in those subnets with that security group', () => {
    const [f] = ofType(plan, 'aws:lambda/function:Function').filter((r) => r.urn.includes('ScoreCanary'));
    expect(f.props.vpcConfig).toEqual({
      subnetIds: ['canary-network-use2-az1-id', 'canary-network-use2-az2-id'],
      securityGroupIds: ['canary-network-lambda-id'],
    });
  });
});

describe.each(REGIONS)('$region peers with the canary VPC (prod-$region)', ({ region, cidr }) => {
  const pcxId = `${region}-peer-canary-id`;

  test('requests the peering in its own region, cross-region, never auto-accepted', () => {
    const [pcx] = ofType(plan, 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection', region);
    expect(stackOf(pcx)).toBe(`prod-${region}`);
    expect(pcx.props).toMatchObject({
      region,
      vpcId: `${region}-vpc-id`,
      // The global stack's output, read through the StackReference.
      peerVpcId: 'canary-network-vpc-id',
      peerRegion: 'us-east-2',
      autoAccept: false,
    });
  });

  test('accepts it in the canary region, from its own stack', () => {
    const accepter = ofType(plan, 'aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter').find(
      (a) => a.name.startsWith(region),
    )!;
    expect(stackOf(accepter)).toBe(`prod-${region}`);
    expect(accepter.region).toBe('us-east-2');
    expect(accepter.props).toMatchObject({ vpcPeeringConnectionId: pcxId, autoAccept: true });
  });

  test('routes both ways: its CIDR from the canary route table, the canary CIDR from every private route table', () => {
    const route = ofType(plan, 'aws:ec2/route:Route', 'us-east-2').find((r) => r.name.startsWith(region))!;
    expect(stackOf(route)).toBe(`prod-${region}`);
    expect(route.props).toEqual({
      region: 'us-east-2',
      routeTableId: 'canary-network-rt-id',
      destinationCidrBlock: cidr,
      vpcPeeringConnectionId: pcxId,
    });
    const privateTables = ofType(plan, 'aws:ec2/routeTable:RouteTable', region).filter((t) =>
      /-private-[abc]-rt$/.test(t.name),
    );
    expect(privateTables).toHaveLength(3);
    for (const t of privateTables) {
      expect(t.props.routes).toContainEqual({ cidrBlock: '10.42.0.0/24', vpcPeeringConnectionId: pcxId });
    }
    // The public route tables (internet-facing side) get no route to the canary.
    for (const t of ofType(plan, 'aws:ec2/routeTable:RouteTable', region).filter((x) =>
      x.name.endsWith('-public-rt'),
    )) {
      expect(JSON.stringify(t.props.routes)).not.toContain('10.42.0.0/24');
    }
  });

  test("the scoring NLB's security group admits the canary VPC (loadBalancerSourceRanges covers it)", () => {
    const svc = ofType(plan, 'kubernetes:core/v1:Service', region).find(
      (s) => (s.props.metadata as { name: string }).name === 'scoring-api',
    )!;
    // The default 10.0.0.0/8 already covers 10.42.0.0/24, so nothing is added.
    expect((svc.props.spec as { loadBalancerSourceRanges: string[] }).loadBalancerSourceRanges).toEqual([
      '10.0.0.0/8',
    ]);
  });
});
