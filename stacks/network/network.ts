import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { planSubnets } from './cidr';

/**
 * Interface endpoints: data-plane traffic to these services stays off the NAT gateways, and inside the
 * endpoint subnets, the only 443 destination (besides the DynamoDB prefix list) the workloads' NetworkPolicy
 * allows. Every service a workload role may call needs one (or a gateway endpoint whose prefix list the
 * policy allows): `monitoring` is CloudWatch (`cloudwatch:PutMetricData`, the stream scorer's KCL
 * metrics). No `logs`: pod logs go to Datadog, and no workload role calls CloudWatch Logs.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-interface-VPC.html
 */
export const INTERFACE_ENDPOINT_SERVICES = [
  'kinesis-streams',
  'sqs',
  'sns',
  'kms',
  'sts',
  'monitoring',
  'ecr.api',
  'ecr.dkr',
] as const;
/** Gateway endpoints (free, route-table based). */
export const GATEWAY_ENDPOINT_SERVICES = ['dynamodb', 's3'] as const;

export interface NetworkArgs {
  /** The AWS region every resource of this network lands in (pulumi-aws v7 per-resource `region`). */
  readonly region: string;
  /** The VPC CIDR, split per AZ by {@link planSubnets}. */
  readonly vpcCidr: string;
  /**
   * The zones to spread over, by AZ ID (`usw2-az1`), in slot order (three for production-grade zonal
   * independence). Subnets are placed with `availabilityZoneId`; per-zone names use the slot
   * (`a`, `b`, `c`), so listing the zones of existing subnets in their old letter order keeps every name.
   */
  readonly availabilityZoneIds: readonly string[];
  /**
   * NAT gateways: one per AZ (an AZ outage leaves the others' egress intact) or a single one.
   * @default 'one-per-az'
   */
  readonly natGateways?: 'one-per-az' | 'single';
  /**
   * Name of the EKS cluster that will use the subnets, for the load-balancer discovery tags.
   * Note: only valid when a cluster is deployed into this VPC.
   */
  readonly clusterName: string;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * VPCs in other regions to peer with (issue 13: the canary's VPC). For each, this network requests a
   * peering connection (its side; the peer's stack accepts it in the peer region) and routes the peer's
   * CIDR to it from every private route table, where the internal NLB's nodes answer from.
   * @default - none
   */
  readonly peers?: readonly NetworkPeer[];
}

/** A VPC this network peers with (see {@link NetworkArgs.peers}). */
export interface NetworkPeer {
  /** Short name, in the peering connection's resource name: `<network>-peer-<name>`. */
  readonly name: string;
  /** The peer VPC's region (`peerRegion`: the accepter side lives there). */
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly cidr: string;
}

/**
 * A VPC over three AZs (placed by AZ ID): private subnets for nodes and pods, public subnets for NAT
 * and internet-facing load balancers, small load-balancer subnets for the internal NLB, and VPC
 * endpoints (gateway: DynamoDB, S3; interface: Kinesis, SQS, SNS, KMS, STS, ECR) in their own subnets.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly publicSubnets: aws.ec2.Subnet[];
  /**
   * One small subnet per AZ for the interface endpoints' ENIs only (no route table of its own: the
   * main route table's local route is all an endpoint needs to answer).
   */
  readonly endpointSubnets: aws.ec2.Subnet[];
  /**
   * One small subnet per AZ for the internal load balancers only (`kubernetes.io/role/internal-elb`;
   * the private subnets no longer carry the tag), routed like its zone's private subnet. The scoring
   * API's Service names them (`aws-load-balancer-subnets`), and its pods admit their CIDRs only.
   */
  readonly loadBalancerSubnets: aws.ec2.Subnet[];
  readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** The requester side of each peering connection, by peer name ({@link NetworkArgs.peers}). */
  readonly peeringConnections: Readonly<Record<string, aws.ec2.VpcPeeringConnection>>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:network:Network', name, {}, opts);
    const zones = planSubnets(args.vpcCidr, args.availabilityZoneIds);
    const region = args.region;
    const parent = { parent: this };
    const tags = (extra: Record<string, string>) => ({ ...args.tags, ...extra });

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        region,
        cidrBlock: args.vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: tags({ Name: `${name}-vpc` }),
      },
      parent,
    );
    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { region, vpcId: this.vpc.id, tags: tags({ Name: `${name}-igw` }) },
      parent,
    );
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      {
        region,
        vpcId: this.vpc.id,
        routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
        tags: tags({ Name: `${name}-public-rt` }),
      },
      parent,
    );

    // Peering (issue 13): cross-region, so `autoAccept` must be false and the peer's side is a
    // VpcPeeringConnectionAccepter in `peerRegion` (pulumi-aws v7 ec2.VpcPeeringConnection docs,
    // "Cross-Region Peering (Same Account) AWS Provider v7"). The routes are inline, like the NAT route:
    // a table with inline routes must not also get standalone aws.ec2.Route resources.
    const peeringConnections: Record<string, aws.ec2.VpcPeeringConnection> = {};
    for (const peer of args.peers ?? []) {
      peeringConnections[peer.name] = new aws.ec2.VpcPeeringConnection(
        `${name}-peer-${peer.name}`,
        {
          region,
          vpcId: this.vpc.id,
          peerVpcId: peer.vpcId,
          peerRegion: peer.region,
          autoAccept: false,
          tags: tags({ Name: `${name}-peer-${peer.name}`, Side: 'Requester' }),
        },
        parent,
      );
    }
    this.peeringConnections = peeringConnections;
    const peerRoutes = (args.peers ?? []).map((peer) => ({
      cidrBlock: peer.cidr,
      vpcPeeringConnectionId: peeringConnections[peer.name].id,
    }));

    this.publicSubnets = [];
    this.privateSubnets = [];
    this.endpointSubnets = [];
    this.loadBalancerSubnets = [];
    const natGateways: aws.ec2.NatGateway[] = [];
    const privateRouteTables: aws.ec2.RouteTable[] = [];
    const natPerAz = (args.natGateways ?? 'one-per-az') === 'one-per-az';

    zones.forEach((zone, i) => {
      const suffix = zone.slot;
      const placement = { availabilityZoneId: zone.availabilityZoneId };
      const zoneTag = { 'availability-zone-id': zone.availabilityZoneId };
      const pub = new aws.ec2.Subnet(
        `${name}-public-${suffix}`,
        {
          region,
          vpcId: this.vpc.id,
          cidrBlock: zone.publicCidr,
          ...placement,
          mapPublicIpOnLaunch: false,
          tags: tags({
            Name: `${name}-public-${suffix}`,
            ...zoneTag,
            tier: 'public',
            'kubernetes.io/role/elb': '1',
            [`kubernetes.io/cluster/${args.clusterName}`]: 'shared',
          }),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${suffix}`,
        { region, subnetId: pub.id, routeTableId: publicRoutes.id },
        parent,
      );
      this.publicSubnets.push(pub);

      if (natPerAz || i === 0) {
        const eip = new aws.ec2.Eip(
          `${name}-nat-${suffix}`,
          { region, domain: 'vpc', tags: tags({ Name: `${name}-nat-${suffix}` }) },
          parent,
        );
        natGateways.push(
          new aws.ec2.NatGateway(
            `${name}-nat-${suffix}`,
            {
              region,
              allocationId: eip.id,
              subnetId: pub.id,
              connectivityType: 'public',
              tags: tags({ Name: `${name}-nat-${suffix}` }),
            },
            { parent: this, dependsOn: [igw] },
          ),
        );
      }
      const nat = natGateways[natPerAz ? i : 0];

      const priv = new aws.ec2.Subnet(
        `${name}-private-${suffix}`,
        {
          region,
          vpcId: this.vpc.id,
          cidrBlock: zone.privateCidr,
          ...placement,
          // No `kubernetes.io/role/internal-elb`: internal load balancers go to the load-balancer subnets.
          tags: tags({
            Name: `${name}-private-${suffix}`,
            ...zoneTag,
            tier: 'private',
            [`kubernetes.io/cluster/${args.clusterName}`]: 'shared',
          }),
        },
        parent,
      );
      const rt = new aws.ec2.RouteTable(
        `${name}-private-${suffix}-rt`,
        {
          region,
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }, ...peerRoutes],
          tags: tags({ Name: `${name}-private-${suffix}-rt` }),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${suffix}`,
        { region, subnetId: priv.id, routeTableId: rt.id },
        parent,
      );
      this.privateSubnets.push(priv);
      privateRouteTables.push(rt);

      this.endpointSubnets.push(
        new aws.ec2.Subnet(
          `${name}-endpoints-${suffix}`,
          {
            region,
            vpcId: this.vpc.id,
            cidrBlock: zone.endpointCidr,
            ...placement,
            tags: tags({ Name: `${name}-endpoints-${suffix}`, ...zoneTag, tier: 'endpoints' }),
          },
          parent,
        ),
      );

      // The internal NLB's own subnet (AWS Load Balancer Controller subnet discovery reads the role tag;
      // the Service names these subnets explicitly too), routed like the zone's private subnet so the
      // NLB answers callers over the same paths as before.
      // @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/
      const lb = new aws.ec2.Subnet(
        `${name}-lb-${suffix}`,
        {
          region,
          vpcId: this.vpc.id,
          cidrBlock: zone.loadBalancerCidr,
          ...placement,
          tags: tags({
            Name: `${name}-lb-${suffix}`,
            ...zoneTag,
            tier: 'load-balancer',
            'kubernetes.io/role/internal-elb': '1',
            [`kubernetes.io/cluster/${args.clusterName}`]: 'shared',
          }),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-lb-${suffix}`,
        { region, subnetId: lb.id, routeTableId: rt.id },
        parent,
      );
      this.loadBalancerSubnets.push(lb);
    });

    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          region,
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Gateway',
          routeTableIds: privateRouteTables.map((rt) => rt.id),
          tags: tags({ Name: `${name}-${service}` }),
        },
        parent,
      );
    }

    this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        region,
        vpcId: this.vpc.id,
        description: 'HTTPS from inside the VPC to the interface endpoints',
        ingress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [args.vpcCidr], description: 'VPC' },
        ],
        tags: tags({ Name: `${name}-endpoints` }),
      },
      parent,
    );
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace('.', '-')}`,
        {
          region,
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          // Their own subnets, so the workloads' 443 egress can name them and not the whole VPC.
          subnetIds: this.endpointSubnets.map((s) => s.id),
          securityGroupIds: [this.endpointSecurityGroup.id],
          tags: tags({ Name: `${name}-${service}` }),
        },
        parent,
      );
    }

    this.vpcId = this.vpc.id;
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}
