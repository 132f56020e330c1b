import type { IScaledObject, ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IService } from 'kubernetes-models/v1';
import { drProps, find, primaryProps, synth } from './fixtures';

const objs = synth(primaryProps());
const so = find<IScaledObject>(objs, 'ScaledObject', 'scoring-api');
const hpaConfig = () => so.spec.advanced?.horizontalPodAutoscalerConfig;

describe('scoring-api', () => {
  test('is scaled by a KEDA ScaledObject, never by a hand-written HPA', () => {
    expect(objs.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(so.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'scoring-api',
    });
  });

  test('KEDA names its HPA scoring-api and may adopt the existing one', () => {
    expect(hpaConfig()?.name).toBe('scoring-api');
    expect(so.metadata?.annotations?.['scaledobject.keda.sh/transfer-hpa-ownership']).toBe('true');
  });

  test('scales up at once: no stabilization, 100% or 4 pods per 15 s, whichever is more', () => {
    expect(hpaConfig()?.behavior?.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    });
  });

  test('scales down slowly: 300 s stabilization, 10% or 1 pod a minute', () => {
    expect(hpaConfig()?.behavior?.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 10, periodSeconds: 60 },
        { type: 'Pods', value: 1, periodSeconds: 60 },
      ],
    });
  });

  test('scales on CPU utilization and on the request rate per pod through the cluster agent', () => {
    expect(so.spec.triggers).toEqual([
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
      {
        type: 'datadog',
        metricType: 'AverageValue',
        metadata: {
          useClusterAgentProxy: 'true',
          datadogMetricName: 'scoring-api-rps',
          datadogMetricNamespace: 'risk-scoring',
          targetValue: '400',
          metricUnavailableValue: '0',
        },
        authenticationRef: { name: 'scoring-api-datadog' },
      },
    ]);
  });

  test('the datadog trigger authenticates with a short-lived token KEDA requests, never a token Secret', () => {
    const auth = find<ITriggerAuthentication>(objs, 'TriggerAuthentication', 'scoring-api-datadog');
    expect(auth.spec).toMatchObject({
      boundServiceAccountToken: [{ parameter: 'token', serviceAccountName: 'scoring-api-metrics-reader' }],
    });
    expect(auth.spec?.secretTargetRef).toBeUndefined();
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    const cm = find<{ data: Record<string, string> }>(objs, 'ConfigMap', 'scoring-api-metrics-reader-scaler');
    expect(cm.data).toEqual({
      authMode: 'bearer',
      datadogNamespace: 'datadog',
      datadogMetricsService: 'datadog-cluster-agent-metrics-api',
      datadogMetricsServicePort: '8443',
    });
  });

  test("KEDA's operator may request tokens for the metrics reader and for no other ServiceAccount", () => {
    const role = find<{ metadata: { namespace: string }; rules: unknown[] }>(
      objs,
      'Role',
      'scoring-api-metrics-reader-token-requester',
    );
    expect(role.metadata.namespace).toBe('risk-scoring');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['serviceaccounts/token'],
        resourceNames: ['scoring-api-metrics-reader'],
        verbs: ['create'],
      },
    ]);
    const binding = find<{ roleRef: unknown; subjects: unknown[] }>(
      objs,
      'RoleBinding',
      'scoring-api-metrics-reader-token-requester',
    );
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'scoring-api-metrics-reader-token-requester',
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'keda-operator', namespace: 'keda' }]);
  });

  test('the token may read external metrics and nothing else', () => {
    const role = find<{ rules: unknown[] }>(objs, 'ClusterRole', 'risk-scoring-scoring-api-metrics-reader');
    expect(role.rules).toEqual([
      { apiGroups: ['external.metrics.k8s.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = find<{ subjects: unknown[] }>(
      objs,
      'ClusterRoleBinding',
      'risk-scoring-scoring-api-metrics-reader',
    );
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'scoring-api-metrics-reader', namespace: 'risk-scoring' },
    ]);
  });

  test('the request-rate DatadogMetric queries this environment and cluster only, always active', () => {
    const metric = find<{ metadata: { annotations: Record<string, string> }; spec: { query: string } }>(
      objs,
      'DatadogMetric',
      'scoring-api-rps',
    );
    expect(metric.spec.query).toBe(
      'default_zero(sum:trace.http.request.hits{env:prod,service:scoring-api,kube_cluster_name:prod-risk-us-west-2}.as_rate())',
    );
    expect(metric.metadata.annotations['external-metrics.datadoghq.com/always-active']).toBe('true');
  });

  test('an empty series or a failed datadog read holds the region’s minimum instead of breaking the HPA', () => {
    expect(so.spec.triggers[1].metadata.metricUnavailableValue).toBe('0');
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 10 });
    const standby = find<IScaledObject>(synth(drProps()), 'ScaledObject', 'scoring-api');
    expect(standby.spec.fallback).toEqual({ failureThreshold: 3, replicas: standby.spec.minReplicaCount });
  });

  test('bounds come from the props', () => {
    expect(so.spec.minReplicaCount).toBe(10);
    expect(so.spec.maxReplicaCount).toBe(120);
  });

  test('a fractional per-pod rate becomes a decimal target', () => {
    const s = find<IScaledObject>(
      synth(primaryProps({ scoringApiTargetRpsPerPod: 12.5 })),
      'ScaledObject',
      'scoring-api',
    );
    expect(s.spec.triggers[1].metadata.targetValue).toBe('12.5');
  });

  test('the Service is a LoadBalancer: TLS on 443 to the pods’ http port, selecting the API pods', () => {
    const svc = find<IService>(objs, 'Service', 'scoring-api');
    expect(svc.spec?.type).toBe('LoadBalancer');
    expect(svc.spec?.ports).toEqual([{ name: 'https', port: 443, targetPort: 8080, protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual({
      'app.kubernetes.io/name': 'scoring-api',
      'app.kubernetes.io/part-of': 'risk-platform',
    });
  });

  test('the Service asks the AWS Load Balancer Controller for an internal NLB with IP targets', () => {
    const annotations = find<IService>(objs, 'Service', 'scoring-api').metadata?.annotations;
    expect(annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
        'preserve_client_ip.enabled=false,deregistration_delay.timeout_seconds=30',
    });
  });

  test('the NLB terminates TLS with the region’s certificate on the https port', () => {
    const annotations = find<IService>(objs, 'Service', 'scoring-api').metadata?.annotations;
    expect(annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert':
        'arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
    });
  });

  test('the NLB health check requests the readiness path on the admin port', () => {
    const annotations = find<IService>(objs, 'Service', 'scoring-api').metadata?.annotations;
    expect(annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '8081',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',
    });
    const deployment = find<IDeployment>(objs, 'Deployment', 'scoring-api');
    expect(deployment.spec?.template.spec?.containers[0].readinessProbe?.httpGet).toMatchObject({
      path: '/healthz/ready',
      port: 8081,
    });
  });

  test('external-dns publishes the regional name from the hostname annotation', () => {
    const annotations = find<IService>(objs, 'Service', 'scoring-api').metadata?.annotations;
    expect(annotations?.['external-dns.alpha.kubernetes.io/hostname']).toBe(
      'score-us-west-2.prod.risk.example.com',
    );
  });

  test('the NLB admits private-range callers by default and custom source ranges replace them', () => {
    expect(find<IService>(objs, 'Service', 'scoring-api').spec?.loadBalancerSourceRanges).toEqual([
      '10.0.0.0/8',
    ]);
    const custom = primaryProps({
      scoringEndpoint: {
        ...primaryProps().scoringEndpoint,
        sourceRanges: ['10.60.0.0/16'],
        scheme: 'internet-facing',
      },
    });
    const svc = find<IService>(synth(custom), 'Service', 'scoring-api');
    expect(svc.spec?.loadBalancerSourceRanges).toEqual(['10.60.0.0/16']);
    expect(svc.metadata?.annotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe(
      'internet-facing',
    );
  });

  test('fails with the field, value and expectation when the certificate is not an ACM ARN', () => {
    const bad = primaryProps({
      scoringEndpoint: { hostname: 'score-us-west-2.prod.risk.example.com', certificateArn: 'cert' },
    });
    expect(() => synth(bad)).toThrow(
      `'scoringEndpoint.certificateArn' ("cert") must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
    );
  });

  test('fails when the hostname is not a fully-qualified name', () => {
    const bad = primaryProps({ scoringEndpoint: { ...primaryProps().scoringEndpoint, hostname: 'score' } });
    expect(() => synth(bad)).toThrow(
      `'scoringEndpoint.hostname' ("score") must be a fully-qualified DNS name such as score-us-west-2.risk.example.com`,
    );
  });

  test('the Deployment leaves the replica count to the autoscaler', () => {
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

describe('scoring-api drains from the NLB before it stops', () => {
  const objs = synth(primaryProps());
  const pod = find<IDeployment>(objs, 'Deployment', 'scoring-api').spec!.template.spec!;
  const annotations = find<IService>(objs, 'Service', 'scoring-api').metadata!.annotations!;
  const delay = Number(
    /deregistration_delay\.timeout_seconds=(\d+)/.exec(
      annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'],
    )?.[1],
  );

  test('the namespace asks the load balancer controller for its pod readiness gate', () => {
    const ns = find<{ metadata: { labels: Record<string, string> } }>(objs, 'Namespace', 'risk-scoring');
    expect(ns.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
  });

  test('sets the deregistration delay, sleeps longer than it in preStop, and allows for both', () => {
    expect(delay).toBe(30);
    const sleep =
      (pod.containers[0].lifecycle?.preStop as { sleep?: { seconds: number } }).sleep?.seconds ?? 0;
    expect(sleep).toBeGreaterThan(delay);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep);
  });
});
