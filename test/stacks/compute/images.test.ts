import { environmentWorkloadsProps, loadEnvironment } from '../../../charts/example-props';
import { ecrRegistry, imageRefProblem, regionalImage, regionalImages } from '../../../stacks/compute/images';

const ACCOUNT = '123456789012';

describe('regionalImage', () => {
  test("prefixes a risk/ repository path with the region's own registry", () => {
    expect(regionalImage('risk/scoring-api:1.2.3', ACCOUNT, 'us-east-1')).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/risk/scoring-api:1.2.3',
    );
  });

  test('keeps a public image as it is (ECR Public is multi-region)', () => {
    const image = 'public.ecr.aws/aws-cli/aws-cli:2.31.23';
    expect(regionalImage(image, ACCOUNT, 'us-east-1')).toBe(image);
  });
});

describe('regionalImages', () => {
  test('resolves the same config to a different registry per region, one code path', () => {
    const workloads = {
      registryAccountId: ACCOUNT,
      images: {
        scoringApi: 'risk/scoring-api@sha256:' + 'a'.repeat(64),
        streamScorer: 'risk/stream-scorer:1.0.0',
        feedbackWorker: 'risk/feedback-worker:1.0.0',
        replicationHeartbeat: 'public.ecr.aws/aws-cli/aws-cli:2.31.23',
      },
    };
    for (const region of ['us-west-2', 'us-east-1']) {
      const images = regionalImages(workloads, region);
      expect(images.scoringApi).toBe(
        `${ecrRegistry(ACCOUNT, region)}/risk/scoring-api@sha256:${'a'.repeat(64)}`,
      );
      expect(images.streamScorer).toBe(`${ecrRegistry(ACCOUNT, region)}/risk/stream-scorer:1.0.0`);
      expect(images.replicationHeartbeat).toBe('public.ecr.aws/aws-cli/aws-cli:2.31.23');
    }
  });
});

describe('imageRefProblem', () => {
  test.each<[string, boolean, string | undefined]>([
    ['risk/scoring-api:1.2.3', false, undefined],
    ['public.ecr.aws/aws-cli/aws-cli:2.31.23', true, undefined],
    ['public.ecr.aws/aws-cli/aws-cli:2.31.23', false, 'a repository path under risk/'],
    [
      '123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/x:1',
      true,
      'a repository path without the registry host, such as risk/x:1',
    ],
    ['risk/scoring-api:latest', false, 'an image reference not tagged latest'],
  ])('%s (public allowed: %s)', (ref, publicAllowed, problem) => {
    const found = imageRefProblem(ref, { publicAllowed });
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found?.startsWith(problem)).toBe(true);
  });
});

describe('each region of prod pulls from its own registry', () => {
  const config = loadEnvironment('prod');
  test.each(config.sites.map((s) => [s.role, s] as const))('%s', (_role, site) => {
    const images = environmentWorkloadsProps(config, site).images;
    for (const image of [images.scoringApi, images.streamScorer, images.feedbackWorker]) {
      expect(image.startsWith(`123456789012.dkr.ecr.${site.region}.amazonaws.com/risk/`)).toBe(true);
    }
    expect(images.replicationHeartbeat).toMatch(/^public\.ecr\.aws\/docker\/library\/node:22\./);
  });
});
