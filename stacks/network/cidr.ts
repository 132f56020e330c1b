import { cidrRange } from '../config/schema';
import { zoneSlot } from '../config/zones';
import { InvalidArgumentError } from '../errors';

/** The subnets of one availability zone. */
export interface ZoneSubnets {
  /** The zone's AZ ID (`usw2-az1`): the subnets' `availabilityZoneId`. */
  readonly availabilityZoneId: string;
  /** The zone's slot in the configured list (`a`, `b`, `c`): it names the zone's resources. */
  readonly slot: string;
  /** Large private subnet for nodes and pods (the VPC CNI gives every pod a VPC address). */
  readonly privateCidr: string;
  /** Small public subnet for NAT gateways and internet-facing load balancers. */
  readonly publicCidr: string;
  /**
   * Small subnet holding only the interface endpoints' ENIs: the workloads' 443 egress to the AWS
   * APIs names these blocks, not the VPC (which holds the API server's ENIs and every pod).
   */
  readonly endpointCidr: string;
  /**
   * Small private subnet holding only the scoring API's internal NLB (`kubernetes.io/role/internal-elb`,
   * named by the Service's `aws-load-balancer-subnets`): the pods' ingress policy admits these blocks,
   * not the private subnets, which are every pod's addresses too.
   */
  readonly loadBalancerCidr: string;
}

/**
 * Where the endpoint subnets start inside the last quarter, in public-subnet-sized blocks: the
 * public subnets take blocks 0-2, the load-balancer subnets 4-6, the endpoint subnets 8-10; 3, 7 and
 * 11-15 stay free for growth.
 */
export const ENDPOINT_BLOCK_OFFSET = 8;
/** Where the load-balancer subnets start inside the last quarter (see {@link ENDPOINT_BLOCK_OFFSET}). */
export const LOAD_BALANCER_BLOCK_OFFSET = 4;

function toCidr(start: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/**
 * Splits a VPC CIDR into the subnets of each availability zone (given by AZ ID, in slot order).
 *
 * The VPC is cut into quarters: private subnets take one quarter each (`/prefix+2`), so three AZs use
 * three quarters; the last quarter is cut in sixteenths (`/prefix+6`: a /22 each in a /16; a /28, 11
 * usable addresses, in a /22): the public subnets take sixteenths 0-2, the load-balancer subnets 4-6
 * (an internal NLB needs one address per zone, and 8 free when AWS picks it), the endpoint subnets
 * 8-10 (one ENI per interface endpoint, 8 today).
 * Pure and deterministic: the same inputs always give the same blocks, so plans are stable, and a
 * zone's blocks depend on its slot only, never on its ID.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/availability-zones.html
 *
 * @throws if the VPC is smaller than /22 or larger than /16, or if not 1 to 3 zones are asked for.
 */
export function planSubnets(vpcCidr: string, availabilityZoneIds: readonly string[]): ZoneSubnets[] {
  const prefix = Number(vpcCidr.split('/')[1]);
  if (!(prefix >= 16 && prefix <= 22)) {
    throw new InvalidArgumentError(`'vpcCidr' (${vpcCidr}) must have a prefix between /16 and /22`);
  }
  if (availabilityZoneIds.length < 1 || availabilityZoneIds.length > 3) {
    throw new InvalidArgumentError(
      `'availabilityZoneIds' (${availabilityZoneIds.length}) must hold between 1 and 3 zones`,
    );
  }
  const [start, size] = cidrRange(vpcCidr);
  const quarter = size / 4;
  const sixteenth = quarter / 16;
  const block = (offset: number) => toCidr(start + 3 * quarter + offset * sixteenth, prefix + 6);
  return availabilityZoneIds.map((availabilityZoneId, i) => ({
    availabilityZoneId,
    slot: zoneSlot(i),
    privateCidr: toCidr(start + i * quarter, prefix + 2),
    publicCidr: block(i),
    endpointCidr: block(ENDPOINT_BLOCK_OFFSET + i),
    loadBalancerCidr: block(LOAD_BALANCER_BLOCK_OFFSET + i),
  }));
}
