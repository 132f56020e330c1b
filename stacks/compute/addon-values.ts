import { KEDA_OPERATOR_SERVICE_ACCOUNT } from '../../charts';
import { kedaTrustValues } from './metrics-tls-values';
import { CLUSTER_AUTOSCALER_IMAGE_TAG } from './versions';

/** The Cluster Autoscaler's ServiceAccount (bound by its Pod Identity association). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/**
 * KEDA's Helm values (chart 2.20.2, keda/values.yaml):
 * - operator, metrics server and admission webhooks at 2 replicas, each with a PDB of minAvailable 1.
 *   The metrics server serves every external metric of the cluster (KEDA is its only external
 *   metrics provider): one replica would freeze every autoscaler during a drain. Only one operator
 *   is the leader; the second shortens a failover (keda.sh/docs/2.20/operate/cluster/#high-availability);
 * - `permissions.operator.restrict.secret`: the operator reads Secrets in its own namespace only
 *   (templates/manager/minimal-rbac.yaml); no TriggerAuthentication of the platform reads a Secret
 *   (podIdentity, boundServiceAccountToken, configMapTargetRef only);
 * - the operator trusts the cluster agent's metrics CA (`kedaTrustValues`, ./metrics-tls-values.ts),
 *   restarting when `caChecksum` changes.
 */
export function kedaValues(caChecksum: string): Record<string, unknown> {
  return {
    ...kedaTrustValues(caChecksum),
    serviceAccount: { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } },
    operator: { replicaCount: 2 },
    metricsServer: { replicaCount: 2 },
    webhooks: { replicaCount: 2 },
    podDisruptionBudget: {
      operator: { minAvailable: 1 },
      metricServer: { minAvailable: 1 },
      webhooks: { minAvailable: 1 },
    },
    permissions: { operator: { restrict: { secret: true } } },
  };
}

/**
 * Cluster Autoscaler's Helm values: the pinned chart's own image (see ./versions.ts), node groups
 * found by their tags. `extraArgs` merge with the chart's defaults (logtostderr, v=4).
 */
export function clusterAutoscalerValues(region: string, clusterName: string): Record<string, unknown> {
  return {
    cloudProvider: 'aws',
    awsRegion: region,
    autoDiscovery: { clusterName },
    fullnameOverride: 'cluster-autoscaler',
    image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAG },
    rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
    // One node group per zone: keep them level so topology spread always finds room.
    extraArgs: {
      'balance-similar-node-groups': true,
      expander: 'least-waste',
      'skip-nodes-with-system-pods': false,
    },
  };
}
