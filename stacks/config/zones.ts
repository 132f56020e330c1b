/**
 * Availability zones by AZ ID (issue 15 finding 2).
 *
 * An AZ *name* (`us-east-1a`) maps to a different physical zone in each account of the older regions,
 * so a name says nothing about which zone a subnet lands in, nor whether EKS accepts it. An AZ *ID*
 * (`use1-az1`) is the same physical zone in every account. Subnets are placed by ID
 * (`aws.ec2.Subnet.availabilityZoneId`), and every per-zone name of the program derives from the zone's
 * slot in the configured list, never from an account's zone name.
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html
 */

/**
 * AZ IDs in which EKS refuses cluster (control-plane) subnets: creating a cluster with a subnet there
 * fails with `UnsupportedAvailabilityZoneException`. The private subnets are the cluster's subnets, and
 * every zone has one, so none of the configured zones may be one of these.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
 *   ("The subnets can't reside in the following Availability Zones": us-east-1 use1-az3, us-west-1
 *   usw1-az2, ca-central-1 cac1-az3; awsdocs/amazon-eks-user-guide latest/ug/networking/network-reqs.adoc)
 */
export const EKS_UNSUPPORTED_AZ_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az3'],
  'us-west-1': ['usw1-az2'],
  'ca-central-1': ['cac1-az3'],
};

/** How a region code's direction word is abbreviated in its AZ IDs (`ap-southeast-2` -> `apse2`). */
const DIRECTIONS: Readonly<Record<string, string>> = {
  east: 'e',
  west: 'w',
  north: 'n',
  south: 's',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/**
 * The prefix of a region's AZ IDs: the geography code, the direction's initials and the region number
 * (`us-west-2` -> `usw2`, `eu-central-1` -> `euc1`, `ap-northeast-1` -> `apne1`, `il-central-1` ->
 * `ilc1`). Undefined for a code that is not `<geo>-<direction>-<n>`.
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 */
export function azIdPrefix(region: string): string | undefined {
  const m = /^([a-z]{2})-([a-z]+)-(\d+)$/.exec(region);
  if (!m) return undefined;
  const direction = DIRECTIONS[m[2]];
  return direction === undefined ? undefined : `${m[1]}${direction}${m[3]}`;
}

/**
 * What is wrong with `azId` as a zone of `region` for this platform, or undefined when it is fine:
 * it must be `<prefix>-az<N>` with the region's own prefix, and not a zone EKS refuses.
 */
export function azIdProblem(azId: string, region: string): string | undefined {
  const prefix = azIdPrefix(region);
  const example = prefix ? `${prefix}-az1` : 'usw2-az1';
  if (!/^[a-z]+\d+-az\d+$/.test(azId)) {
    return `an AZ ID such as ${example} (<region prefix>-az<N>; AZ names such as ${region}a map to different zones in each account)`;
  }
  if (prefix === undefined || !azId.startsWith(`${prefix}-az`)) {
    return `an AZ ID of ${region} (${prefix ?? '?'}-az<N>), not of another region`;
  }
  if ((EKS_UNSUPPORTED_AZ_IDS[region] ?? []).includes(azId)) {
    return `an AZ ID EKS supports for cluster subnets: ${azId} is refused in ${region} (UnsupportedAvailabilityZoneException; EKS user guide, VPC and subnet requirements)`;
  }
  return undefined;
}

/**
 * The stable key of the zone in slot `index` of a region's configured list: `a`, `b`, `c`. It names
 * every per-zone resource (subnets, route tables, NAT gateways, node groups: `...-private-a`,
 * `<cluster>-scoring-a-v2`), as the account's zone-name letters did before zones were configured by ID.
 * It is a position, not an account's zone name: `prod-private-a` is in the list's first AZ ID (its tag
 * `availability-zone-id` says which). Listing the IDs of the subnets that exist, in the order of their
 * old letters, keeps every name.
 */
export function zoneSlot(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 26) {
    throw new RangeError(`'index' (${index}) must be an integer between 0 and 25`);
  }
  return String.fromCharCode('a'.charCodeAt(0) + index);
}
