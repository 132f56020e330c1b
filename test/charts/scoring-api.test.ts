import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IService } from 'kubernetes-models/v1';
import { find, primaryProps, synth } from './fixtures';

const objs = synth(primaryProps());
const hpa = find<IHorizontalPodAutoscaler>(objs, 'HorizontalPodAutoscaler', 'scoring-api');

describe('scoring-api', () => {
  test('HPA scales up at once: no stabilization, 100% or 4 pods per 15 s, whichever is more', () => {
    expect(hpa.spec?.behavior?.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    });
  });

  test('HPA scales down slowly: 300 s stabilization, 10% or 1 pod a minute', () => {
    expect(hpa.spec?.behavior?.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 10, periodSeconds: 60 },
        { type: 'Pods', value: 1, periodSeconds: 60 },
      ],
    });
  });

  test('HPA scales on CPU utilization and on the request rate per pod', () => {
    expect(hpa.spec?.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
      {
        type: 'External',
        external: {
          metric: { name: 'datadogmetric@risk-scoring:scoring-api-rps' },
          target: { type: 'AverageValue', averageValue: '400' },
        },
      },
    ]);
  });

  test('the request-rate DatadogMetric queries this environment and cluster only', () => {
    const metric = find<{ spec: { query: string } }>(objs, 'DatadogMetric', 'scoring-api-rps');
    expect(metric.spec.query).toBe(
      'sum:trace.http.request.hits{env:prod,service:scoring-api,kube_cluster_name:prod-risk-us-west-2}.as_rate()',
    );
  });

  test('HPA bounds come from the props and target the Deployment', () => {
    expect(hpa.spec?.minReplicas).toBe(10);
    expect(hpa.spec?.maxReplicas).toBe(120);
    expect(hpa.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'scoring-api',
    });
  });

  test('a fractional per-pod rate becomes a milli-quantity', () => {
    const h = find<IHorizontalPodAutoscaler>(
      synth(primaryProps({ scoringApiTargetRpsPerPod: 12.5 })),
      'HorizontalPodAutoscaler',
      'scoring-api',
    );
    expect(h.spec?.metrics?.[1].external?.target.averageValue).toBe('12500m');
  });

  test('the Service is ClusterIP on 8080 named http and selects the API pods', () => {
    const svc = find<IService>(objs, 'Service', 'scoring-api');
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual({
      'app.kubernetes.io/name': 'scoring-api',
      'app.kubernetes.io/part-of': 'risk-platform',
    });
  });

  test('the Deployment leaves the replica count to the HPA', () => {
    const deployment = find<IDeployment>(objs, 'Deployment', 'scoring-api');
    expect(deployment.spec).not.toHaveProperty('replicas');
  });

  test('rollouts never drop below the running capacity', () => {
    const deployment = find<IDeployment>(objs, 'Deployment', 'scoring-api');
    expect(deployment.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
    });
  });
});
