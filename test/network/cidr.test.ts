import fc from 'fast-check';
import { cidrRange, cidrsOverlap } from '../../stacks/config/schema';
import { planSubnets } from '../../stacks/network/cidr';
import { INTERFACE_ENDPOINT_SERVICES } from '../../stacks/network/network';

const azs = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

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
  test('gives the prod primary VPC /18 private and /22 public subnets', () => {
    expect(planSubnets('10.40.0.0/16', azs)).toEqual([
      {
        availabilityZone: 'us-west-2a',
        privateCidr: '10.40.0.0/18',
        publicCidr: '10.40.192.0/22',
        endpointCidr: '10.40.224.0/22',
      },
      {
        availabilityZone: 'us-west-2b',
        privateCidr: '10.40.64.0/18',
        publicCidr: '10.40.196.0/22',
        endpointCidr: '10.40.228.0/22',
      },
      {
        availabilityZone: 'us-west-2c',
        privateCidr: '10.40.128.0/18',
        publicCidr: '10.40.200.0/22',
        endpointCidr: '10.40.232.0/22',
      },
    ]);
  });

  test('puts one private and one public subnet in each AZ', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const zones = planSubnets(vpc, azs);
        expect(zones.map((z) => z.availabilityZone)).toEqual(azs);
      }),
    );
  });

  test('keeps every subnet inside the VPC CIDR', () => {
    fc.assert(
      fc.property(vpcCidr, (vpc) => {
        const [vs, vn] = cidrRange(vpc);
        for (const z of planSubnets(vpc, azs)) {
          for (const block of [z.privateCidr, z.publicCidr, z.endpointCidr]) {
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
        const blocks = planSubnets(vpc, azs).flatMap((z) => [z.privateCidr, z.publicCidr, z.endpointCidr]);
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
    expect(() => planSubnets('10.0.0.0/16', [...azs, 'us-west-2d'])).toThrow(
      "'availabilityZones' (4) must hold between 1 and 3 zones",
    );
  });
});
