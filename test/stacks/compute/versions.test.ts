import {
  CLUSTER_AUTOSCALER_FIRST_CHART_WITH_DRA_RBAC,
  CLUSTER_AUTOSCALER_IMAGE_TAG,
  HELM_CHARTS,
  KEDA_KUBERNETES_MATRIX,
  SUPPORTED_KUBERNETES_VERSIONS,
} from '../../../stacks/compute/versions';

/** Compares two `x.y.z` versions numerically. */
function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
const minor = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).join('.');

describe('cluster-autoscaler chart and image pair', () => {
  it('takes the image tag from the pinned chart’s own appVersion', () => {
    expect(HELM_CHARTS.clusterAutoscaler.appVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(CLUSTER_AUTOSCALER_IMAGE_TAG).toBe(`v${HELM_CHARTS.clusterAutoscaler.appVersion}`);
  });

  it.each(SUPPORTED_KUBERNETES_VERSIONS)('runs the CA minor of Kubernetes %s', (k8s) => {
    expect(minor(CLUSTER_AUTOSCALER_IMAGE_TAG)).toBe(k8s);
  });

  it('pins a chart whose ClusterRole grants resource.k8s.io when CA is 1.35 or later', () => {
    // CA >= 1.35 always watches DRA objects; older charts' ClusterRole does not grant them.
    expect(compare(`${minor(CLUSTER_AUTOSCALER_IMAGE_TAG)}.0`, '1.35.0')).toBeGreaterThanOrEqual(0);
    expect(
      compare(HELM_CHARTS.clusterAutoscaler.version, CLUSTER_AUTOSCALER_FIRST_CHART_WITH_DRA_RBAC),
    ).toBeGreaterThanOrEqual(0);
  });
});

describe('KEDA and Kubernetes pair', () => {
  const kedaMinor = minor(HELM_CHARTS.keda.version);
  const window = KEDA_KUBERNETES_MATRIX[kedaMinor];

  it('pins a KEDA minor whose tested window is known', () => {
    expect(window).toBeDefined();
    expect(HELM_CHARTS.keda.appVersion).toBe(HELM_CHARTS.keda.version);
  });

  it.each(SUPPORTED_KUBERNETES_VERSIONS)('lists Kubernetes %s in the pinned KEDA’s tested window', (k8s) => {
    expect(compare(`${k8s}.0`, `${window.min}.0`)).toBeGreaterThanOrEqual(0);
    expect(compare(`${k8s}.0`, `${window.max}.0`)).toBeLessThanOrEqual(0);
  });
});
