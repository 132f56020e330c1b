import fc from 'fast-check';
import { AWS_REGIONS } from '../../stacks/config/schema';
import { azIdPrefix, azIdProblem, EKS_UNSUPPORTED_AZ_IDS, zoneSlot } from '../../stacks/config/zones';

describe('azIdPrefix', () => {
  test.each([
    ['us-east-1', 'use1'],
    ['us-west-2', 'usw2'],
    ['ca-central-1', 'cac1'],
    ['eu-west-1', 'euw1'],
    ['ap-northeast-1', 'apne1'],
    ['ap-southeast-2', 'apse2'],
    ['ap-south-1', 'aps1'],
    ['il-central-1', 'ilc1'],
  ])('gives %s the AZ ID prefix %s', (region, prefix) => {
    expect(azIdPrefix(region)).toBe(prefix);
  });

  test('has a prefix for every region the schema accepts, each unique', () => {
    const prefixes = AWS_REGIONS.map(azIdPrefix);
    expect(prefixes.filter((p) => p === undefined)).toEqual([]);
    expect(new Set(prefixes).size).toBe(AWS_REGIONS.length);
  });
});

describe('azIdProblem', () => {
  test('accepts the zones the environments configure', () => {
    for (const id of ['use1-az1', 'use1-az2', 'use1-az4'])
      expect(azIdProblem(id, 'us-east-1')).toBeUndefined();
    for (const id of ['usw2-az1', 'usw2-az2', 'usw2-az3'])
      expect(azIdProblem(id, 'us-west-2')).toBeUndefined();
  });

  test.each(Object.entries(EKS_UNSUPPORTED_AZ_IDS).flatMap(([r, ids]) => ids.map((id) => [id, r])))(
    'refuses %s in %s (EKS refuses cluster subnets there)',
    (id, region) => {
      expect(azIdProblem(id, region)).toContain(`${id} is refused in ${region}`);
    },
  );

  test('lists exactly the zones of the EKS user guide', () => {
    expect(EKS_UNSUPPORTED_AZ_IDS).toEqual({
      'us-east-1': ['use1-az3'],
      'us-west-1': ['usw1-az2'],
      'ca-central-1': ['cac1-az3'],
    });
  });

  test('refuses every zone of another region', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...AWS_REGIONS),
        fc.constantFrom(...AWS_REGIONS),
        fc.integer({ min: 1, max: 9 }),
        (own, other, n) => {
          fc.pre(own !== other);
          expect(azIdProblem(`${azIdPrefix(other)}-az${n}`, own)).toBe(
            `an AZ ID of ${own} (${azIdPrefix(own)}-az<N>), not of another region`,
          );
        },
      ),
    );
  });

  test('refuses an AZ name', () => {
    expect(azIdProblem('us-east-1a', 'us-east-1')).toBe(
      'an AZ ID such as use1-az1 (<region prefix>-az<N>; AZ names such as us-east-1a map to different zones in each account)',
    );
  });
});

describe('zoneSlot', () => {
  test('names the slots a, b, c, as the zone letters did', () => {
    expect([0, 1, 2].map(zoneSlot)).toEqual(['a', 'b', 'c']);
  });

  test('refuses a slot outside 0-25', () => {
    expect(() => zoneSlot(26)).toThrow("'index' (26) must be an integer between 0 and 25");
  });
});
