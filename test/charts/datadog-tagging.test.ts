import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IEnvVar } from 'kubernetes-models/v1';
import { datadogVersion, isLabelValue, validateWorkloadsProps } from '../../charts';
import { find, primaryProps, synth } from './fixtures';

const props = primaryProps();
const objs = synth(props);
const SCORING_WORKLOADS = ['scoring-api', 'stream-scorer', 'feedback-worker'] as const;
const deployment = (name: string) => find<IDeployment>(objs, 'Deployment', name);
const env = (name: string): IEnvVar[] => deployment(name).spec?.template.spec?.containers[0].env ?? [];
const podLabels = (name: string) => deployment(name).spec?.template.metadata?.labels ?? {};

describe('datadogVersion', () => {
  test.each([
    ['a tag-pinned image', 'repo/stream-scorer:1.4.2', '2026.11.3_1.4.2'],
    [
      'a digest-pinned image (short ID)',
      `repo/scoring-api@sha256:${'3b1f0c9a8e7d'.padEnd(64, '0')}`,
      '2026.11.3_3b1f0c9a8e7d',
    ],
    ['a tag and a digest (the tag)', `repo:5000/x:2.0.1@sha256:${'a'.repeat(64)}`, '2026.11.3_2.0.1'],
  ])('joins the model version and %s', (_what, image, version) => {
    expect(datadogVersion('2026.11.3', image)).toBe(version);
  });

  test('changes when only the image changes, and when only the model changes', () => {
    const image = 'repo/scoring-api:1.4.2';
    expect(datadogVersion('m1', image)).not.toBe(datadogVersion('m1', 'repo/scoring-api:1.4.3'));
    expect(datadogVersion('m1', image)).not.toBe(datadogVersion('m2', image));
  });

  test('the real config values make label values', () => {
    expect(isLabelValue(datadogVersion('fraud-gbm-2026.11.3', `r@sha256:${'c'.repeat(64)}`))).toBe(true);
    expect(isLabelValue('x'.repeat(64))).toBe(false);
    expect(isLabelValue('-x')).toBe(false);
  });
});

describe('APM wiring of the scoring workloads', () => {
  test.each(SCORING_WORKLOADS)(
    '%s: the tracer sends to the node agent on its node (status.hostIP)',
    (name) => {
      expect(env(name)).toEqual(
        expect.arrayContaining([
          { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'DD_TRACE_AGENT_PORT', value: '8126' },
          { name: 'DD_DOGSTATSD_PORT', value: '8125' },
        ]),
      );
    },
  );

  test.each(SCORING_WORKLOADS)('%s: DD_ENV, DD_SERVICE, DD_VERSION come from the pod labels', (name) => {
    expect(env(name)).toEqual(
      expect.arrayContaining(
        (['env', 'service', 'version'] as const).map((tag) => ({
          name: `DD_${tag.toUpperCase()}`,
          valueFrom: { fieldRef: { fieldPath: `metadata.labels['tags.datadoghq.com/${tag}']` } },
        })),
      ),
    );
  });

  test.each(SCORING_WORKLOADS)('%s: the pods and the Deployment carry env, service and version', (name) => {
    const image = {
      'scoring-api': props.images.scoringApi,
      'stream-scorer': props.images.streamScorer,
      'feedback-worker': props.images.feedbackWorker,
    }[name];
    const tags = {
      'tags.datadoghq.com/env': 'prod',
      'tags.datadoghq.com/service': name,
      'tags.datadoghq.com/version': datadogVersion(props.modelVersion, image),
    };
    expect(podLabels(name)).toMatchObject(tags);
    expect(deployment(name).metadata?.labels).toMatchObject(tags);
  });

  test('the scoring API version is the model version and the short image digest', () => {
    expect(podLabels('scoring-api')['tags.datadoghq.com/version']).toBe('2024.11.3_aaaaaaaaaaaa');
  });

  test("the request-rate query filters on the tags the scoring API's tracer emits", () => {
    // GIVEN the query's tags
    const metric = find<{ spec: { query: string } }>(objs, 'DatadogMetric', 'scoring-api-rps');
    const tags = Object.fromEntries(
      /\{([^}]*)\}/
        .exec(metric.spec.query)![1]
        .split(',')
        .map((t) => t.split(':') as [string, string]),
    );
    // THEN env and service are the pod's unified service tags, and the cluster is the agent's clusterName
    expect(tags).toEqual({
      env: podLabels('scoring-api')['tags.datadoghq.com/env'],
      service: podLabels('scoring-api')['tags.datadoghq.com/service'],
      kube_cluster_name: props.clusterName ?? 'prod-risk-us-west-2',
    });
  });

  test('a model version that makes no label value is refused, naming the fields', () => {
    expect(() => validateWorkloadsProps(primaryProps({ modelVersion: 'm'.repeat(60) }))).toThrow(
      `'modelVersion' ("${'m'.repeat(60)}") with 'images.streamScorer' makes the Datadog version "${'m'.repeat(60)}_1.4.2", which must be a Kubernetes label value`,
    );
  });
});
