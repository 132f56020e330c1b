import fc from 'fast-check';
import { cidrRange, cidrsOverlap } from '../../../stacks/config/schema';
import {
  cidrContains,
  planCanarySubnets,
  sourceRangesAdmittingCanary,
} from '../../../stacks/observability/canary-cidr';

describe('planCanarySubnets', () => {
  test.each([
    ['10.42.0.0/24', ['use2-az1', 'use2-az2'], ['10.42.0.0/25', '10.42.0.128/25']],
    [
      '10.42.0.0/24',
      ['use2-az1', 'use2-az2', 'use2-az3'],
      ['10.42.0.0/26', '10.42.0.64/26', '10.42.0.128/26'],
    ],
    ['10.22.0.32/27', ['use2-az1', 'use2-az3'], ['10.22.0.32/28', '10.22.0.48/28']],
  ])('%s over %j gives %j', (vpc, zones, cidrs) => {
    expect(planCanarySubnets(vpc, zones)).toEqual(
      zones.map((z, i) => ({ availabilityZoneId: z, cidr: cidrs[i] })),
    );
  });

  test.each([
    ['10.42.0.0/16', "'canaryNetwork.vpcCidr' (10.42.0.0/16) must be an IPv4 block between /24 and /27"],
    ['10.42.0.0/28', "'canaryNetwork.vpcCidr' (10.42.0.0/28) must be an IPv4 block between /24 and /27"],
    ['10.42.0.1/24', "'canaryNetwork.vpcCidr' (10.42.0.1/24) must be an IPv4 block between /24 and /27"],
  ])('refuses the VPC %s', (vpc, message) => {
    expect(() => planCanarySubnets(vpc, ['use2-az1', 'use2-az2'])).toThrow(message);
  });

  test.each([[['use2-az1']], [['use2-az1', 'use2-az1']], [['a', 'b', 'c', 'd']]])(
    'refuses the zones %j',
    (zones) => {
      expect(() => planCanarySubnets('10.42.0.0/24', zones)).toThrow(
        `'canaryNetwork.availabilityZoneIds' (${zones.join(', ')}) must hold 2 or 3 distinct AZ IDs`,
      );
    },
  );

  test('refuses a /27 over 3 zones: each subnet would be a /29', () => {
    expect(() => planCanarySubnets('10.42.0.0/27', ['use2-az1', 'use2-az2', 'use2-az3'])).toThrow(
      "'canaryNetwork.vpcCidr' (10.42.0.0/27) is too small for 3 zones: each subnet would be a /29, expected at least a /28 (11 usable addresses)",
    );
  });

  test('property: the subnets lie inside the VPC and are pairwise disjoint', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 24 - 1 }),
        fc.integer({ min: 24, max: 27 }),
        fc.integer({ min: 2, max: 3 }),
        (n, prefix, zones) => {
          fc.pre(prefix + (zones === 2 ? 1 : 2) <= 28);
          const start = 10 * 2 ** 24 + n - ((10 * 2 ** 24 + n) % 2 ** (32 - prefix));
          const vpc = `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join('.')}/${prefix}`;
          const subnets = planCanarySubnets(vpc, ['z-az1', 'z-az2', 'z-az3'].slice(0, zones));
          for (const s of subnets) expect(cidrContains(vpc, s.cidr)).toBe(true);
          for (let i = 0; i < subnets.length; i++)
            for (let j = i + 1; j < subnets.length; j++)
              expect(cidrsOverlap(subnets[i].cidr, subnets[j].cidr)).toBe(false);
          // Each subnet keeps at least a /28 (16 addresses, 11 usable).
          for (const s of subnets) expect(cidrRange(s.cidr)[1]).toBeGreaterThanOrEqual(16);
        },
      ),
    );
  });
});

describe('sourceRangesAdmittingCanary', () => {
  test('keeps the ranges when one already covers the canary VPC', () => {
    expect(sourceRangesAdmittingCanary(['10.0.0.0/8'], '10.42.0.0/24')).toEqual(['10.0.0.0/8']);
  });
  test('adds the canary VPC to ranges that do not cover it', () => {
    expect(sourceRangesAdmittingCanary(['10.60.0.0/16'], '10.42.0.0/24')).toEqual([
      '10.60.0.0/16',
      '10.42.0.0/24',
    ]);
  });
  test('a range that only overlaps part of it does not count as covering', () => {
    expect(sourceRangesAdmittingCanary(['10.42.0.0/25'], '10.42.0.0/24')).toEqual([
      '10.42.0.0/25',
      '10.42.0.0/24',
    ]);
  });
});
