import { synthesizeWorkloads } from '../../charts';
import { drProps, primaryProps } from './fixtures';

describe('validateWorkloadsProps', () => {
  test('accepts the happy-path props of both regions', () => {
    expect(() => synthesizeWorkloads(primaryProps())).not.toThrow();
    expect(() => synthesizeWorkloads(drProps())).not.toThrow();
  });

  test('rejects minReplicas above maxReplicas, naming both values', () => {
    const props = primaryProps();
    const bad = { ...props, bounds: { ...props.bounds, scoringApi: { minReplicas: 11, maxReplicas: 10 } } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'bounds.scoringApi.minReplicas' (11) must be less than or equal to 'bounds.scoringApi.maxReplicas' (10)`,
      ),
    );
  });

  test('rejects a stream scorer maximum above the shard count', () => {
    const props = primaryProps({ shardCount: 4 });
    const bad = { ...props, bounds: { ...props.bounds, streamScorer: { minReplicas: 2, maxReplicas: 5 } } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(`'bounds.streamScorer.maxReplicas' (5) must be less than or equal to 'shardCount' (4)`),
    );
  });

  test('accepts a stream scorer maximum equal to the shard count', () => {
    const props = primaryProps({ shardCount: 5 });
    const ok = { ...props, bounds: { ...props.bounds, streamScorer: { minReplicas: 2, maxReplicas: 5 } } };
    expect(() => synthesizeWorkloads(ok)).not.toThrow();
  });

  test('rejects a zero minimum', () => {
    const props = primaryProps();
    const bad = { ...props, bounds: { ...props.bounds, feedbackWorker: { minReplicas: 0, maxReplicas: 3 } } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(`'bounds.feedbackWorker.minReplicas' (0) must be an integer greater than or equal to 1`),
    );
  });

  test('rejects an image tagged latest', () => {
    const props = primaryProps();
    const bad = { ...props, images: { ...props.images, streamScorer: 'repo/stream-scorer:latest' } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'images.streamScorer' ("repo/stream-scorer:latest") must be pinned by digest (repo@sha256:<64 hex>) or an immutable tag other than 'latest' (repo:1.2.3)`,
      ),
    );
  });

  test('rejects an untagged image', () => {
    const props = primaryProps();
    const bad = { ...props, images: { ...props.images, feedbackWorker: 'repo/feedback-worker' } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      /^'images.feedbackWorker' \("repo\/feedback-worker"\) must be pinned/,
    );
  });

  test('rejects a DR full minimum below the standby minimum', () => {
    const props = drProps();
    const bad = {
      ...props,
      bounds: { ...props.bounds, scoringApi: { minReplicas: 4, maxReplicas: 20, fullMinReplicas: 3 } },
    };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'bounds.scoringApi.fullMinReplicas' (3) must be greater than or equal to 'bounds.scoringApi.minReplicas' (4)`,
      ),
    );
  });

  test('rejects a full minimum that differs from the minimum in the active (by default primary) region', () => {
    const props = primaryProps();
    const bad = {
      ...props,
      bounds: { ...props.bounds, scoringApi: { minReplicas: 4, maxReplicas: 20, fullMinReplicas: 6 } },
    };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'bounds.scoringApi.fullMinReplicas' (6) must equal 'bounds.scoringApi.minReplicas' (4) when 'active' is true`,
      ),
    );
  });

  test('rejects a role ARN that is not an IAM role', () => {
    const props = primaryProps();
    const bad = { ...props, roleArns: { ...props.roleArns, streamScorer: 'stream-scorer' } };
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'roleArns.streamScorer' ("stream-scorer") must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      ),
    );
  });

  test('lists every problem, one a line', () => {
    const bad = primaryProps({ region: 'mars', scoringLatencySloMs: 0 });
    expect(() => synthesizeWorkloads(bad)).toThrow(
      new Error(
        `'region' ("mars") must be an AWS region such as us-east-1\n'scoringLatencySloMs' (0) must be a positive number of milliseconds`,
      ),
    );
  });
});
