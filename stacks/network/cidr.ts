import { cidrRange } from '../config/schema';
import { InvalidArgumentError } from '../errors';

/** The subnets of one availability zone. */
export interface ZoneSubnets {
  readonly availabilityZone: string;
  /** Large private subnet for nodes and pods (the VPC CNI gives every pod a VPC address). */
  readonly privateCidr: string;
  /** Small public subnet for NAT gateways and internet-facing load balancers. */
  readonly publicCidr: string;
  /**
   * Small subnet holding only the interface endpoints' ENIs: the workloads' 443 egress to the AWS
   * APIs names these blocks, not the VPC (which holds the API server's ENIs and every pod).
   */
  readonly endpointCidr: string;
}

/**
 * Where the endpoint subnets start inside the last quarter, in public-subnet-sized blocks: the
 * public subnets take blocks 0-2, the endpoint subnets 8-10, and 3-7 stay free for growth.
 */
export const ENDPOINT_BLOCK_OFFSET = 8;

function toCidr(start: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/**
 * Splits a VPC CIDR into one private and one public subnet per availability zone.
 *
 * The VPC is cut into quarters: private subnets take one quarter each (`/prefix+2`), so three AZs use
 * three quarters; the last quarter holds the public subnets at `/prefix+6` (1/16 of a quarter each)
 * and, from its ninth sixteenth on, the endpoint subnets of the same size (a /22 each in a /16; a /28,
 * 11 usable addresses, in a /22: room for one ENI per interface endpoint, 8 today).
 * Pure and deterministic: the same inputs always give the same blocks, so plans are stable.
 *
 * @throws if the VPC is smaller than /24 or larger than /16, or if more than 3 zones are asked for.
 */
export function planSubnets(vpcCidr: string, availabilityZones: readonly string[]): ZoneSubnets[] {
  const prefix = Number(vpcCidr.split('/')[1]);
  if (!(prefix >= 16 && prefix <= 22)) {
    throw new InvalidArgumentError(`'vpcCidr' (${vpcCidr}) must have a prefix between /16 and /22`);
  }
  if (availabilityZones.length < 1 || availabilityZones.length > 3) {
    throw new InvalidArgumentError(
      `'availabilityZones' (${availabilityZones.length}) must hold between 1 and 3 zones`,
    );
  }
  const [start, size] = cidrRange(vpcCidr);
  const quarter = size / 4;
  const publicSize = quarter / 16;
  return availabilityZones.map((availabilityZone, i) => ({
    availabilityZone,
    privateCidr: toCidr(start + i * quarter, prefix + 2),
    publicCidr: toCidr(start + 3 * quarter + i * publicSize, prefix + 6),
    endpointCidr: toCidr(start + 3 * quarter + (ENDPOINT_BLOCK_OFFSET + i) * publicSize, prefix + 6),
  }));
}
