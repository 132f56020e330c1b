import { RunbookOutputs } from '../../../stacks/outputs';

type RegionOutputs = RunbookOutputs['regions'][string];
type Deployment = RegionOutputs['workloads']['deployments'][number];

/** The `kubectl` command that sets one autoscaler's minimum by hand (what `standby` could not do). */
export function kubectlSetMin(r: RegionOutputs, d: Deployment, min: number): string {
  const [resource, field] =
    d.autoscaler.kind === 'HorizontalPodAutoscaler'
      ? ['hpa', 'minReplicas']
      : ['scaledobject', 'minReplicaCount'];
  return (
    `kubectl --context ${r.cluster.kubeContext} -n ${r.workloads.namespace} patch ${resource} ${d.autoscaler.name} ` +
    `--type merge -p '${JSON.stringify({ spec: { [field]: min } })}'`
  );
}
