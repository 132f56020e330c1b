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
  /**
   * The chart's `appVersion` (its Chart.yaml), where the image tag is set from it: chart and image are
   * then bumped as one pair, here.
   */
  readonly appVersion?: string;
}

/** Helm charts installed on every cluster. */
export const HELM_CHARTS = {
  /** Resource metrics for the HPA's CPU target. */
  metricsServer: {
    chart: 'metrics-server',
    version: '3.13.0',
    repo: 'https://kubernetes-sigs.github.io/metrics-server/',
  },
  /**
   * KEDA: every workload's ScaledObject and the cluster's external metrics provider. Chart 2.20.2 =
   * app 2.20.2 (kedacore/charts keda/Chart.yaml at v2.20.2; the image tag defaults to appVersion).
   * Its tested Kubernetes window is {@link KEDA_KUBERNETES_MATRIX}; 2.18 (1.31-1.33) did not list 1.35.
   *
   * Not 2.21, although only 2.21 carries the fix for bound-token refresh (kedacore/keda#8112, label
   * required:keda-v2.21): 2.21 makes `boundServiceAccountToken` minting require an operator-side
   * audience mapping by default (keda.sh/docs/2.22/migration "Upgrading from KEDA 2.20 to 2.21"), and
   * the cluster agent's metrics server validates the token by TokenReview against the API server's
   * audience. The mapping's chart values are not readable at a pinned 2.21 chart here, so the bump is
   * deferred; until then the scoring API's ScaledObject has a fallback (charts/scoring-api.ts) so a
   * failed datadog trigger holds the minimum instead of freezing the HPA. See docs/ARCHITECTURE.md.
   */
  keda: {
    chart: 'keda',
    version: '2.20.2',
    appVersion: '2.20.2',
    repo: 'https://kedacore.github.io/charts',
  },
  /**
   * Cluster Autoscaler: grows the managed node groups when pods are pending. Chart and image are one
   * pair: {@link CLUSTER_AUTOSCALER_IMAGE_TAG} is derived from this chart's `appVersion`.
   *
   * CA 1.35 locks `--enable-dynamic-resource-allocation` to true (config/flags/flags.go at tag
   * cluster-autoscaler-1.35.0; kubernetes/autoscaler#8827) and so always lists/watches
   * `resource.k8s.io` resourceslices, deviceclasses and resourceclaims. Chart 9.52.1 (appVersion
   * 1.34.1) grants none of them: the informers never sync and CA never scales. The ClusterRole grants
   * them from 9.54.0; 9.54.0 to 9.55.0 still default `image.tag` to v1.34.2 while declaring appVersion
   * 1.35.0, and 9.55.1 is the first whose default tag matches. 9.59.0 (2026-07-21) is the newest of the
   * 1.35 line: Chart.yaml `appVersion: 1.35.0`, values.yaml `image.tag: v1.35.0`,
   * templates/clusterrole.yaml grants resource.k8s.io {watch,list,get}.
   * @see https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-chart-9.59.0/cluster-autoscaler/charts/cluster-autoscaler/templates/clusterrole.yaml
   */
  clusterAutoscaler: {
    chart: 'cluster-autoscaler',
    version: '9.59.0',
    appVersion: '1.35.0',
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
 * The Cluster Autoscaler image tag: the pinned chart's own appVersion (never set apart from the chart),
 * whose minor must match the cluster's Kubernetes minor.
 * @see https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAG = `v${HELM_CHARTS.clusterAutoscaler.appVersion}`;

/**
 * The first cluster-autoscaler chart whose ClusterRole grants `resource.k8s.io`, which CA ≥ 1.35
 * always watches (see {@link HELM_CHARTS}.clusterAutoscaler).
 */
export const CLUSTER_AUTOSCALER_FIRST_CHART_WITH_DRA_RBAC = '9.54.0';

/**
 * The Kubernetes minors each KEDA minor is tested against ("N-2"), from KEDA's compatibility matrix.
 * The pinned KEDA's window must contain every {@link SUPPORTED_KUBERNETES_VERSIONS} entry (tested).
 * @see https://keda.sh/docs/2.22/operate/cluster/#kubernetes-compatibility
 */
export const KEDA_KUBERNETES_MATRIX: Readonly<
  Record<string, { readonly min: string; readonly max: string }>
> = {
  '2.18': { min: '1.31', max: '1.33' },
  '2.19': { min: '1.32', max: '1.34' },
  '2.20': { min: '1.33', max: '1.35' },
  '2.21': { min: '1.34', max: '1.36' },
};
