import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { NetworkPeer } from '../network/network';

/** The peer name of the canary's VPC in a regional network (`<region>-peer-canary`). */
export const CANARY_PEER = 'canary';

/** What a regional stack reads of the global stack's canary network (StackReference `canaryNetwork`). */
export interface CanaryNetworkView {
  readonly vpcId: pulumi.Input<string>;
  readonly routeTableId: pulumi.Input<string>;
}

/** The canary's VPC as a peer of a regional network ({@link NetworkPeer}). */
export function canaryPeer(
  canary: { readonly region: string; readonly vpcCidr: string },
  view: CanaryNetworkView,
): NetworkPeer {
  return { name: CANARY_PEER, region: canary.region, vpcId: view.vpcId, cidr: canary.vpcCidr };
}

export interface CanaryPeeringArgs {
  readonly environment: string;
  /** The regional stack's region (the requester side, in its `Network`). */
  readonly region: string;
  /** The regional VPC's CIDR: the canary VPC routes it to the connection. */
  readonly regionCidr: string;
  /** The canary region: the accepter and the canary-side route land there. */
  readonly canaryRegion: string;
  /** The requester side, created by the regional `Network` (`peeringConnections.canary`). */
  readonly connection: Pick<aws.ec2.VpcPeeringConnection, 'id'>;
  readonly canaryNetwork: CanaryNetworkView;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The canary-region half of one regional VPC's peering with the canary VPC, owned by the regional
 * stack (a third-region resource in a regional stack: it never touches the other serving region):
 * the accepter, and the canary route table's route to this region's CIDR. Cross-region peering cannot
 * be auto-accepted by the requester; the accepter in the peer region adopts and accepts it (pulumi-aws v7
 * `ec2.VpcPeeringConnectionAccepter`, "Cross-Region Peering (Same Account)"). The route waits for the
 * accepter: a route to a connection that is still pending acceptance is refused.
 * @see https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html
 */
export class CanaryPeering extends pulumi.ComponentResource {
  readonly accepter: aws.ec2.VpcPeeringConnectionAccepter;
  readonly route: aws.ec2.Route;

  constructor(name: string, args: CanaryPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:CanaryPeering', name, {}, opts);
    const tagName = `${args.environment}-risk-canary-${args.region}`;
    this.accepter = new aws.ec2.VpcPeeringConnectionAccepter(
      `${name}-accepter`,
      {
        region: args.canaryRegion,
        vpcPeeringConnectionId: args.connection.id,
        autoAccept: true,
        tags: { ...args.tags, Name: tagName, Side: 'Accepter' },
      },
      { parent: this },
    );
    this.route = new aws.ec2.Route(
      `${name}-route`,
      {
        region: args.canaryRegion,
        routeTableId: args.canaryNetwork.routeTableId,
        destinationCidrBlock: args.regionCidr,
        vpcPeeringConnectionId: args.connection.id,
      },
      { parent: this, dependsOn: [this.accepter] },
    );
    this.registerOutputs({ connectionId: args.connection.id });
  }
}
