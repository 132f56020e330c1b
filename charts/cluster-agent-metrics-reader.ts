import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import {
  DATADOG_CLUSTER_AGENT_METRICS_PORT,
  DATADOG_CLUSTER_AGENT_METRICS_SERVICE,
  DATADOG_NAMESPACE,
} from './datadog-metric';
import type { TriggerAuthenticationSpec } from './keda';

/** The namespace KEDA runs in (Helm release `keda`, stacks/compute/addons.ts). */
export const KEDA_NAMESPACE = 'keda';
/** The KEDA operator's ServiceAccount (the chart's `serviceAccount.operator.name`). */
export const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';

export interface ClusterAgentMetricsReaderProps {
  /** The name of the ServiceAccount, its token-request Role and RoleBinding, and its ConfigMap (`<name>-scaler`). */
  readonly name: string;
  readonly namespace: string;
}

/**
 * The identity KEDA's `datadog` scaler presents to the Datadog cluster agent (bearer
 * authentication, the only mode of `useClusterAgentProxy`):
 * - a ServiceAccount (no token mounted anywhere: no pod runs as it, and it has no token Secret);
 * - a Role in its namespace allowing `create` on `serviceaccounts/token` for that one ServiceAccount
 *   (`resourceNames`), bound to KEDA's operator ServiceAccount: with the TriggerAuthentication's
 *   `boundServiceAccountToken` (KEDA 2.16+), KEDA requests a short-lived token through the
 *   TokenRequest API and renews it, instead of reading a never-expiring `service-account-token` Secret;
 * - a ClusterRole allowing `get`, `list`, `watch` on `external.metrics.k8s.io` (what the cluster
 *   agent's metrics server authorizes through a SubjectAccessReview), bound to it. Not narrowed with
 *   `resourceNames`: an external metric is read as a collection (`GET
 *   .../namespaces/<ns>/<metric>` is a `list` with no object name), so a name rule never matches;
 * - a ConfigMap naming the cluster agent's metrics service (namespace, service, port, auth mode).
 * {@link authentication} is the TriggerAuthentication spec that reads them.
 *
 * Note: KEDA 2.21 adds an operator-side audience mapping that token minting requires by default;
 * the pinned 2.20 needs only the RBAC (see HELM_CHARTS.keda in stacks/compute/versions.ts).
 * @see https://keda.sh/docs/2.20/authentication-providers/bound-service-account-token/
 * @see https://keda.sh/docs/2.20/scalers/datadog/
 */
export class ClusterAgentMetricsReader extends Construct {
  public readonly authentication: TriggerAuthenticationSpec;

  constructor(scope: Construct, id: string, props: ClusterAgentMetricsReaderProps) {
    super(scope, id);
    const { name, namespace } = props;
    const configMap = `${name}-scaler`;
    const clusterRole = `${namespace}-${name}`;
    const tokenRequester = `${name}-token-requester`;

    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace },
      automountToken: false,
    });
    new kplus.k8s.KubeRole(this, 'TokenRequestRole', {
      metadata: { name: tokenRequester, namespace },
      rules: [
        { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [name], verbs: ['create'] },
      ],
    });
    new kplus.k8s.KubeRoleBinding(this, 'TokenRequestRoleBinding', {
      metadata: { name: tokenRequester, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: tokenRequester },
      subjects: [{ kind: 'ServiceAccount', name: KEDA_OPERATOR_SERVICE_ACCOUNT, namespace: KEDA_NAMESPACE }],
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
      // Kept on purpose: each cluster-agent replica self-signs its metrics-server certificate, and the
      // datadog chart has no value to give it one, so there is no CA to give KEDA (docs/ARCHITECTURE.md,
      // "unsafeSsl kept (decision)").
      unsafeSsl: 'true',
    };
    new kplus.ConfigMap(this, 'ScalerConfig', {
      metadata: { name: configMap, namespace },
      data: scalerConfig,
    });

    this.authentication = {
      boundServiceAccountToken: [{ parameter: 'token', serviceAccountName: name }],
      configMapTargetRef: Object.keys(scalerConfig).map((key) => ({ parameter: key, name: configMap, key })),
    };
  }
}
