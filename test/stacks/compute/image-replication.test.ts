import { checkRegistryAccount } from '../../../stacks/compute/image-replication';
import { InvalidArgumentError } from '../../../stacks/errors';
import { EnvironmentPlan } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';

describe('ECR replication of the private images (prod)', () => {
  let plan: EnvironmentPlan;
  beforeAll(async () => {
    plan = await planOf('prod');
  });

  test('one replication configuration, in the primary region, replicating risk/ to the DR region of the same account', () => {
    const configs = ofType(plan, 'aws:ecr/replicationConfiguration:ReplicationConfiguration');
    expect(configs.map((c) => c.region)).toEqual(['us-west-2']);
    expect(configs[0].props.replicationConfiguration).toEqual({
      rules: [
        {
          destinations: [{ region: 'us-east-1', registryId: '123456789012' }],
          repositoryFilters: [{ filter: 'risk/', filterType: 'PREFIX_MATCH' }],
        },
      ],
    });
  });

  test.each(['us-west-2', 'us-east-1'])(
    'every Deployment in %s pulls its private images from that region',
    (region) => {
      const deployments = ofType(plan, 'kubernetes:apps/v1:Deployment', region);
      expect(deployments.length).toBeGreaterThanOrEqual(4);
      const images = deployments.flatMap((d) =>
        (
          d.props.spec as { template: { spec: { containers: { image: string }[] } } }
        ).template.spec.containers.map((c) => c.image),
      );
      const privateImages = images.filter((i) => i.includes('.dkr.ecr.'));
      expect(privateImages).toHaveLength(3);
      for (const image of privateImages) {
        expect(image.startsWith(`123456789012.dkr.ecr.${region}.amazonaws.com/risk/`)).toBe(true);
      }
    },
  );
});

describe('checkRegistryAccount', () => {
  test('returns the registry account when it is the deploying account', () => {
    expect(checkRegistryAccount('123456789012', '123456789012')).toBe('123456789012');
  });
  test('refuses a registry in another account, naming both', () => {
    expect(() => checkRegistryAccount('111111111111', '123456789012')).toThrow(InvalidArgumentError);
    expect(() => checkRegistryAccount('111111111111', '123456789012')).toThrow(
      "'workloads.registryAccountId' (111111111111) must be the account this stack deploys to (123456789012)",
    );
  });
});
