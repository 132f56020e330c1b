/**
 * Which apiVersion/kind pairs a Kubernetes minor version serves: a small table of the APIs this
 * platform emits (and their removed predecessors, so a regression is named as such).
 *
 * @see https://kubernetes.io/docs/reference/using-api/deprecation-guide/
 */
export interface ServedApi {
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  /** The first minor version that serves it. */
  readonly servedFrom: string;
  /** The first minor version that no longer serves it. */
  readonly removedIn?: string;
  /** Set for custom resources: the add-on that installs the CRD (served whenever it is installed). */
  readonly crdOf?: string;
}

export const SERVED_APIS: readonly ServedApi[] = [
  {
    apiVersion: 'v1',
    kinds: ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service'],
    servedFrom: '1.0',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    servedFrom: '1.8',
  },
  { apiVersion: 'apps/v1', kinds: ['Deployment'], servedFrom: '1.9' },
  { apiVersion: 'apps/v1beta1', kinds: ['Deployment'], servedFrom: '1.6', removedIn: '1.16' },
  { apiVersion: 'apps/v1beta2', kinds: ['Deployment'], servedFrom: '1.8', removedIn: '1.16' },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Deployment', 'NetworkPolicy'],
    servedFrom: '1.2',
    removedIn: '1.16',
  },
  { apiVersion: 'autoscaling/v1', kinds: ['HorizontalPodAutoscaler'], servedFrom: '1.2' },
  { apiVersion: 'autoscaling/v2', kinds: ['HorizontalPodAutoscaler'], servedFrom: '1.23' },
  {
    apiVersion: 'autoscaling/v2beta1',
    kinds: ['HorizontalPodAutoscaler'],
    servedFrom: '1.8',
    removedIn: '1.25',
  },
  {
    apiVersion: 'autoscaling/v2beta2',
    kinds: ['HorizontalPodAutoscaler'],
    servedFrom: '1.12',
    removedIn: '1.26',
  },
  { apiVersion: 'policy/v1', kinds: ['PodDisruptionBudget'], servedFrom: '1.21' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], servedFrom: '1.5', removedIn: '1.25' },
  { apiVersion: 'networking.k8s.io/v1', kinds: ['NetworkPolicy'], servedFrom: '1.7' },
  {
    apiVersion: 'keda.sh/v1alpha1',
    kinds: ['ScaledObject', 'TriggerAuthentication'],
    servedFrom: '1.0',
    crdOf: 'KEDA',
  },
  {
    apiVersion: 'datadoghq.com/v1alpha1',
    kinds: ['DatadogMetric'],
    servedFrom: '1.0',
    crdOf: 'the Datadog Cluster Agent',
  },
];

const minor = (version: string): number => Number(version.split('.')[1]);

/** Parses `1.33` into its minor number; throws naming the value otherwise. */
export function parseKubernetesVersion(version: string): number {
  if (!/^1\.\d{1,2}$/.test(version)) {
    throw new Error(
      `'kubernetesVersion' (${JSON.stringify(version)}) must be a Kubernetes minor version such as 1.33`,
    );
  }
  return minor(version);
}

/**
 * Why an apiVersion/kind is not served by a version, or undefined when it is.
 */
export function notServedReason(
  apiVersion: string,
  kind: string,
  kubernetesVersion: string,
): string | undefined {
  const v = parseKubernetesVersion(kubernetesVersion);
  const entry = SERVED_APIS.find((e) => e.apiVersion === apiVersion && e.kinds.includes(kind));
  if (entry === undefined) {
    const known = SERVED_APIS.filter((e) => e.kinds.includes(kind)).map((e) => e.apiVersion);
    return known.length > 0
      ? `${kind} is not known under ${apiVersion}; expected one of ${known.join(', ')}`
      : `kind ${kind} (${apiVersion}) is not in the table of served APIs`;
  }
  if (entry.removedIn !== undefined && v >= minor(entry.removedIn)) {
    const current = SERVED_APIS.filter(
      (e) => e.kinds.includes(kind) && e.removedIn === undefined && e.crdOf === undefined,
    )
      .sort((a, b) => minor(b.servedFrom) - minor(a.servedFrom))
      .at(0);
    return `${apiVersion} ${kind} was removed in Kubernetes ${entry.removedIn} and is not served by ${kubernetesVersion}${
      current ? `; use ${current.apiVersion}` : ''
    }`;
  }
  if (v < minor(entry.servedFrom)) {
    return `${apiVersion} ${kind} is served from Kubernetes ${entry.servedFrom}, not by ${kubernetesVersion}`;
  }
  return undefined;
}
