/**
 * Pinned versions of everything the compute plane installs. One place to bump, one diff to review.
 *
 * Bumping: `aws eks describe-addon-versions --kubernetes-version <k8s> --addon-name <name>` for the
 * managed add-ons; `helm search repo <repo>/<chart> --versions` for the charts. Update one minor at a
 * time (EKS refuses add-on jumps of more than one minor).
 */

/**
 * The Kubernetes minor version the clusters run.
 *
 * 1.35 is in EKS standard support from 2026-01-28 to 2027-03-27, so it is supported on every date
 * of the 2026-11 release train with four months to plan the next upgrade; 1.33 left standard support
 * on 2026-07-29 and 1.34 leaves it on 2026-12-02.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.35'] as const;

/** EKS managed add-ons, pinned for Kubernetes 1.35. */
export const MANAGED_ADDON_VERSIONS = {
  /** @see https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html */
  'vpc-cni': 'v1.20.4-eksbuild.2',
  /** @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html */
  coredns: 'v1.14.2-eksbuild.4',
  /** @see https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html */
  'kube-proxy': 'v1.35.3-eksbuild.2',
  /** @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html */
  'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
} as const;
export type ManagedAddonName = keyof typeof MANAGED_ADDON_VERSIONS;

/** A Helm chart from a repository, pinned to one version. */
export interface PinnedChart {
  readonly chart: string;
  readonly version: string;
  readonly repo: string;
}

/** Helm charts installed on every cluster. */
export const HELM_CHARTS = {
  /** Resource metrics for the HPA's CPU target. */
  metricsServer: {
    chart: 'metrics-server',
    version: '3.13.0',
    repo: 'https://kubernetes-sigs.github.io/metrics-server/',
  },
  /** KEDA: the stream scorer's and the feedback worker's ScaledObjects. */
  keda: { chart: 'keda', version: '2.18.1', repo: 'https://kedacore.github.io/charts' },
  /** Cluster Autoscaler: grows the managed node groups when pods are pending. */
  clusterAutoscaler: {
    chart: 'cluster-autoscaler',
    version: '9.52.1',
    repo: 'https://kubernetes.github.io/autoscaler',
  },
  /** Datadog node agent + cluster agent (external metrics provider for the scoring API's HPA). */
  datadog: { chart: 'datadog', version: '3.146.1', repo: 'https://helm.datadoghq.com' },
  /**
   * AWS Load Balancer Controller: the scoring API's NLB (app v2.14.0, which supports Kubernetes 1.35).
   * @see https://github.com/kubernetes-sigs/aws-load-balancer-controller/releases/tag/v2.14.0
   */
  awsLoadBalancerController: {
    chart: 'aws-load-balancer-controller',
    version: '1.14.0',
    repo: 'https://aws.github.io/eks-charts',
  },
  /**
   * external-dns: publishes the scoring API's regional name (image v0.20.0).
   * @see https://kubernetes-sigs.github.io/external-dns/latest/charts/external-dns/CHANGELOG/
   */
  externalDns: {
    chart: 'external-dns',
    version: '1.20.0',
    repo: 'https://kubernetes-sigs.github.io/external-dns/',
  },
} as const satisfies Record<string, PinnedChart>;

/**
 * The Cluster Autoscaler image tag: its minor must match the cluster's Kubernetes minor.
 * @see https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAG = 'v1.35.0';
