import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import {
  DATADOG_CLUSTER_AGENT_METRICS_PORT,
  DATADOG_CLUSTER_AGENT_METRICS_SERVICE,
  DATADOG_NAMESPACE,
} from './datadog-metric';
import type { TriggerAuthenticationSpec } from './keda';

/** The annotation that binds a `kubernetes.io/service-account-token` Secret to its ServiceAccount. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

export interface ClusterAgentMetricsReaderProps {
  /** The name of the ServiceAccount, its token Secret (`<name>-token`) and its ConfigMap (`<name>-scaler`). */
  readonly name: string;
  readonly namespace: string;
}

/**
 * The identity KEDA's `datadog` scaler presents to the Datadog cluster agent (bearer
 * authentication, the only mode of `useClusterAgentProxy`):
 * - a ServiceAccount (no token mounted anywhere: no pod runs as it);
 * - its token Secret (`kubernetes.io/service-account-token`, filled in by the token controller);
 * - a ClusterRole allowing `get`, `list`, `watch` on `external.metrics.k8s.io` (what the cluster
 *   agent's metrics server authorizes through a SubjectAccessReview), bound to it;
 * - a ConfigMap naming the cluster agent's metrics service (namespace, service, port, auth mode).
 * {@link authentication} is the TriggerAuthentication spec that reads them.
 * @see https://keda.sh/docs/2.18/scalers/datadog/
 */
export class ClusterAgentMetricsReader extends Construct {
  public readonly authentication: TriggerAuthenticationSpec;

  constructor(scope: Construct, id: string, props: ClusterAgentMetricsReaderProps) {
    super(scope, id);
    const { name, namespace } = props;
    const tokenSecret = `${name}-token`;
    const configMap = `${name}-scaler`;
    const clusterRole = `${namespace}-${name}`;

    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace },
      automountToken: false,
    });
    new kplus.k8s.KubeSecret(this, 'Token', {
      metadata: { name: tokenSecret, namespace, annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: name } },
      type: 'kubernetes.io/service-account-token',
    });
    new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterRole },
      rules: [{ apiGroups: ['external.metrics.k8s.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    });
    new kplus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterRole },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    const scalerConfig = {
      authMode: 'bearer',
      datadogNamespace: DATADOG_NAMESPACE,
      datadogMetricsService: DATADOG_CLUSTER_AGENT_METRICS_SERVICE,
      datadogMetricsServicePort: String(DATADOG_CLUSTER_AGENT_METRICS_PORT),
      // The cluster agent's metrics server presents a self-signed certificate (no CA to verify it with).
      unsafeSsl: 'true',
    };
    new kplus.ConfigMap(this, 'ScalerConfig', {
      metadata: { name: configMap, namespace },
      data: scalerConfig,
    });

    this.authentication = {
      secretTargetRef: [{ parameter: 'token', name: tokenSecret, key: 'token' }],
      configMapTargetRef: Object.keys(scalerConfig).map((key) => ({ parameter: key, name: configMap, key })),
    };
  }
}
