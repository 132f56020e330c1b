import { cidrRange, isCidr } from '../config/schema';
import { InvalidArgumentError } from '../errors';

/**
 * The canary VPC's address plan (issue 13): pure, so the plan is stable and the arithmetic is
 * property-tested (test/stacks/observability/canary-cidr.test.ts).
 *
 * The canary VPC holds only the Lambda's ENIs (Lambda's Hyperplane ENIs: one per subnet and security
 * group pair, shared by every execution environment) and one ENI per AZ of the CloudWatch (`monitoring`)
 * interface endpoint, so a /24 to /27 is plenty: it is cut into equal subnets, one per AZ.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */

/** Bounds of the canary VPC's prefix: /27 still leaves each of 2 subnets a /28 (11 usable addresses). */
export const CANARY_VPC_PREFIX = { min: 24, max: 27 } as const;

/** The smallest subnet: a /28 (16 addresses, 11 usable after AWS's 5 reserved). */
export const CANARY_SUBNET_MAX_PREFIX = 28;

/** One subnet of the canary VPC. */
export interface CanarySubnet {
  /** The AZ ID (e.g. `use2-az1`): the same physical zone in every account, unlike a zone name. */
  readonly availabilityZoneId: string;
  readonly cidr: string;
}

function toCidr(start: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/**
 * Splits the canary VPC into one subnet per AZ: with 2 zones into halves, with 3 into quarters (the
 * fourth stays free). Deterministic: the same inputs give the same blocks.
 * @throws InvalidArgumentError when the CIDR is not a block between /24 and /27, the zones are not 2 or 3
 *   distinct IDs, or a subnet would be smaller than a /28 (a /27 over 3 zones).
 */
export function planCanarySubnets(vpcCidr: string, availabilityZoneIds: readonly string[]): CanarySubnet[] {
  const prefix = Number(vpcCidr.split('/')[1]);
  if (!isCidr(vpcCidr) || !(prefix >= CANARY_VPC_PREFIX.min && prefix <= CANARY_VPC_PREFIX.max)) {
    throw new InvalidArgumentError(
      `'canaryNetwork.vpcCidr' (${vpcCidr}) must be an IPv4 block between /${CANARY_VPC_PREFIX.min} and /${CANARY_VPC_PREFIX.max}`,
    );
  }
  const zones = availabilityZoneIds.length;
  if (zones < 2 || zones > 3 || new Set(availabilityZoneIds).size !== zones) {
    throw new InvalidArgumentError(
      `'canaryNetwork.availabilityZoneIds' (${availabilityZoneIds.join(', ')}) must hold 2 or 3 distinct AZ IDs`,
    );
  }
  const bits = zones === 2 ? 1 : 2;
  if (prefix + bits > CANARY_SUBNET_MAX_PREFIX) {
    throw new InvalidArgumentError(
      `'canaryNetwork.vpcCidr' (${vpcCidr}) is too small for ${zones} zones: each subnet would be a /${prefix + bits}, expected at least a /${CANARY_SUBNET_MAX_PREFIX} (11 usable addresses)`,
    );
  }
  const [start, size] = cidrRange(vpcCidr);
  const step = size / 2 ** bits;
  return availabilityZoneIds.map((availabilityZoneId, i) => ({
    availabilityZoneId,
    cidr: toCidr(start + i * step, prefix + bits),
  }));
}

/** True when `outer` contains every address of `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const [os, on] = cidrRange(outer);
  const [is, size] = cidrRange(inner);
  return is >= os && is + size <= os + on;
}

/**
 * The client CIDRs the scoring API's NLB security group admits, with the canary VPC added when none of
 * them already covers it (the default, 10.0.0.0/8, covers every committed canary VPC, so the manifests
 * do not change; a narrower list gains the canary VPC explicitly).
 */
export function sourceRangesAdmittingCanary(ranges: readonly string[], canaryCidr: string): string[] {
  return ranges.some((r) => cidrContains(r, canaryCidr)) ? [...ranges] : [...ranges, canaryCidr];
}
