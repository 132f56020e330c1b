import fc from 'fast-check';
import { cidrRange, cidrsOverlap } from '../../stacks/config/schema';
import { LOAD_BALANCER_BLOCK_OFFSET, planSubnets } from '../../stacks/network/cidr';
import { INTERFACE_ENDPOINT_SERVICES } from '../../stacks/network/network';

const azs = ['usw2-az1', 'usw2-az2', 'usw2-az3'];

/** Arbitrary aligned VPC CIDRs between /16 and /22. */
const vpcCidr = fc
  .tuple(fc.integer({ min: 16, max: 22 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map(([prefix, ip]) => {
    const size = 2 ** (32 - prefix);
    const start = Math.floor(ip / size) * size;
    const octets = [24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256);
    return `${octets.join('.')}/${prefix}`;
  });

describe('planSubnets', () => {
  test('gives the prod primary VPC /18 private and /22 public, load-balancer and endpoint subnets', () => {
    expect(planSubnets('10.40.0.0/16', azs)).toEqual([
      {
        availabilityZoneId: 'usw2-az1',
        slot: 'a',
        privateCidr: '10.40.0.0/18',
        publicCidr: '10.40.192.0/22',
        endpointCidr: '10.40.224.0/22',
        loadBalancerCidr: '10.40.208.0/22',
      },
      {
        availabilityZoneId: 'usw2-az2',
        slot: 'b',
        privateCidr: '10.40.64.0/18',
        publicCidr: '10.40.196.0/22',
        endpointCidr: '10.40.228.0/22',
        loadBalancerCidr: '10.40.212.0/22',
      },
      {
        availabilityZoneId: 'usw2-az3',
        slot: 'c',
        privateCidr: '10.40.128.0/18',
        publicCidr: '10.40.200.0/22',
        endpointCidr: '10.40.232.0/22',
        loadBalancerCidr: '10.40.216.0/22',
      },
    ]);
  });

  test('gives each zone of the list its AZ ID and its slot letter, in order', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const zones = planSubnets(vpc, azs);
        expect(zones.map((z) => z.availabilityZoneId)).toEqual(azs);
        expect(zones.map((z) => z.slot)).toEqual(['a', 'b', 'c']);
      }),
    );
  });

  test("derives a zone's blocks from its slot alone, never from its AZ ID (an ID swap keeps every CIDR)", () => {
    fc.assert(
      fc.property(
        vpcCidr,
        fc.shuffledSubarray(['use1-az1', 'use1-az2', 'use1-az4', 'use1-az5', 'use1-az6'], {
          minLength: 3,
          maxLength: 3,
        }),
        (vpc, ids) => {
          const strip = (z: ReturnType<typeof planSubnets>[number]) => ({ ...z, availabilityZoneId: '' });
          expect(planSubnets(vpc, ids).map(strip)).toEqual(planSubnets(vpc, azs).map(strip));
        },
      ),
    );
  });

  test('sizes each load-balancer subnet for an NLB node (at least 8 free addresses after the 5 AWS reserves)', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        for (const z of planSubnets(vpc, azs)) {
          const prefix = Number(z.loadBalancerCidr.split('/')[1]);
          expect(2 ** (32 - prefix) - 5).toBeGreaterThanOrEqual(8);
        }
      }),
    );
  });

  test("keeps the load-balancer subnets out of the private subnets (the pods' addresses)", () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const zones = planSubnets(vpc, azs);
        for (const lb of zones)
          for (const z of zones) expect(cidrsOverlap(lb.loadBalancerCidr, z.privateCidr)).toBe(false);
      }),
    );
  });

  test('places the load-balancer subnets at their block offset of the last quarter', () => {
    // 10.40.192.0 starts the last quarter; a sixteenth of it is a /22 (1,024 addresses).
    expect(LOAD_BALANCER_BLOCK_OFFSET).toBe(4);
    expect(planSubnets('10.40.0.0/16', azs)[0].loadBalancerCidr).toBe('10.40.208.0/22');
  });

  test('keeps every subnet inside the VPC CIDR', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const [vs, vn] = cidrRange(vpc);
        for (const z of planSubnets(vpc, azs)) {
          for (const block of [z.privateCidr, z.publicCidr, z.endpointCidr, z.loadBalancerCidr]) {
            const [s, n] = cidrRange(block);
            expect(s).toBeGreaterThanOrEqual(vs);
            expect(s + n).toBeLessThanOrEqual(vs + vn);
          }
        }
      }),
    );
  });

  test('never overlaps two subnets', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const blocks = planSubnets(vpc, azs).flatMap((z) => [
          z.privateCidr,
          z.publicCidr,
          z.endpointCidr,
          z.loadBalancerCidr,
        ]);
        for (let i = 0; i < blocks.length; i++) {
          for (let j = i + 1; j < blocks.length; j++) expect(cidrsOverlap(blocks[i], blocks[j])).toBe(false);
        }
      }),
    );
  });

  test('sizes each endpoint subnet for one ENI per interface endpoint (AWS reserves 5 addresses, minimum /28)', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        for (const z of planSubnets(vpc, azs)) {
          const prefix = Number(z.endpointCidr.split('/')[1]);
          expect(prefix).toBeLessThanOrEqual(28);
          expect(2 ** (32 - prefix) - 5).toBeGreaterThanOrEqual(INTERFACE_ENDPOINT_SERVICES.length);
        }
      }),
    );
  });

  test('keeps the endpoint subnets out of the private subnets (pods and API server ENIs live there)', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const zones = planSubnets(vpc, azs);
        for (const e of zones)
          for (const z of zones) expect(cidrsOverlap(e.endpointCidr, z.privateCidr)).toBe(false);
      }),
    );
  });

  test('is deterministic', () => {
    fc.assert(fc.property(vpcCidr, (vpc) => expect(planSubnets(vpc, azs)).toEqual(planSubnets(vpc, azs))));
  });

  test('refuses a VPC smaller than /22', () => {
    expect(() => planSubnets('10.0.0.0/24', azs)).toThrow(
      "'vpcCidr' (10.0.0.0/24) must have a prefix between /16 and /22",
    );
  });

  test('refuses more than three AZs', () => {
    expect(() => planSubnets('10.0.0.0/16', [...azs, 'usw2-az4'])).toThrow(
      "'availabilityZoneIds' (4) must hold between 1 and 3 zones",
    );
  });
});
