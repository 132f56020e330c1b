import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { planCanarySubnets } from './canary-cidr';

/** HTTPS: the scoring NLBs' TLS listener (charts/scoring-api.ts) and the CloudWatch endpoint. */
const HTTPS = 443;

export interface CanaryNetworkArgs {
  readonly environment: string;
  /** The canary region (`observability.canaryRegion`). */
  readonly region: string;
  /** `observability.canaryNetwork`: overlaps neither regional VPC (checked by the config schema). */
  readonly vpcCidr: string;
  readonly availabilityZoneIds: readonly string[];
  /** The regional VPCs the canary probes, by region: its only 443 destinations besides the endpoint. */
  readonly regionCidrs: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The canary's VPC in the third region (issue 13), in the global stack: private subnets only (no
 * internet gateway, no NAT), one route table, the Lambda's security group, and a CloudWatch
 * (`monitoring`) interface endpoint with private DNS so the handler's `PutMetricData` stays in the
 * VPC. The Lambda's logs need no endpoint: the Lambda service delivers them, not the function's ENI.
 *
 * Each regional stack peers its VPC with this one ({@link CanaryPeering}): the requester in its region,
 * the accepter and the route to its CIDR here, on {@link routeTable}. That table therefore has no inline
 * routes: a route table with inline `routes` and standalone `aws.ec2.Route`s fight over its routes
 * (pulumi-aws `ec2.RouteTable` docs); without `routes` the provider leaves them alone.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-interface-VPC.html
 */
export class CanaryNetwork extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly subnets: aws.ec2.Subnet[];
  readonly routeTable: aws.ec2.RouteTable;
  /** The Lambda's: egress 443 to the regional VPCs and to the endpoint, no ingress. */
  readonly lambdaSecurityGroup: aws.ec2.SecurityGroup;
  readonly monitoringEndpoint: aws.ec2.VpcEndpoint;

  constructor(name: string, args: CanaryNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:CanaryNetwork', name, {}, opts);
    const { region } = args;
    const parent = { parent: this };
    const tags = (n: string) => ({ ...args.tags, Name: n });
    const base = `${args.environment}-risk-canary`;

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        region,
        cidrBlock: args.vpcCidr,
        // The regional names resolve through the VPC's resolver (public zone, internal NLB: private IPs).
        enableDnsSupport: true,
        // Required for the interface endpoint's private DNS name.
        enableDnsHostnames: true,
        tags: tags(base),
      },
      parent,
    );
    this.routeTable = new aws.ec2.RouteTable(
      `${name}-rt`,
      { region, vpcId: this.vpc.id, tags: tags(`${base}-private`) },
      parent,
    );
    this.subnets = planCanarySubnets(args.vpcCidr, args.availabilityZoneIds).map((s) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-${s.availabilityZoneId}`,
        {
          region,
          vpcId: this.vpc.id,
          cidrBlock: s.cidr,
          availabilityZoneId: s.availabilityZoneId,
          mapPublicIpOnLaunch: false,
          tags: { ...tags(`${base}-${s.availabilityZoneId}`), tier: 'private' },
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-${s.availabilityZoneId}`,
        { region, subnetId: subnet.id, routeTableId: this.routeTable.id },
        parent,
      );
      return subnet;
    });

    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoint`,
      {
        region,
        vpcId: this.vpc.id,
        description: 'HTTPS from the canary VPC to the CloudWatch interface endpoint',
        ingress: [
          {
            protocol: 'tcp',
            fromPort: HTTPS,
            toPort: HTTPS,
            cidrBlocks: [args.vpcCidr],
            description: 'canary VPC',
          },
        ],
        tags: tags(`${base}-endpoint`),
      },
      parent,
    );
    this.lambdaSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-lambda`,
      {
        region,
        vpcId: this.vpc.id,
        description: 'The score canary: HTTPS to the regional scoring NLBs and the CloudWatch endpoint',
        // Replies to its own connections are allowed by the group being stateful; nothing calls in.
        ingress: [],
        egress: [
          ...Object.entries(args.regionCidrs).map(([r, cidr]) => ({
            protocol: 'tcp',
            fromPort: HTTPS,
            toPort: HTTPS,
            cidrBlocks: [cidr],
            description: `scoring NLB in ${r} (peering)`,
          })),
          {
            protocol: 'tcp',
            fromPort: HTTPS,
            toPort: HTTPS,
            cidrBlocks: [args.vpcCidr],
            description: 'CloudWatch interface endpoint',
          },
        ],
        tags: tags(`${base}-lambda`),
      },
      parent,
    );
    this.monitoringEndpoint = new aws.ec2.VpcEndpoint(
      `${name}-monitoring`,
      {
        region,
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region}.monitoring`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.subnets.map((s) => s.id),
        securityGroupIds: [endpointSecurityGroup.id],
        tags: tags(`${base}-monitoring`),
      },
      parent,
    );
    this.registerOutputs({ vpcId: this.vpc.id, routeTableId: this.routeTable.id });
  }
}
