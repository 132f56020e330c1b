import { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { autoscalersOf, k8sObjects } from './autoscaling-capacity';
import { arr, at, forTypes, obj, Props, str } from './props';

/**
 * The pod annotation listing the emptyDir volumes Cluster Autoscaler may discard on scale-down
 * (utils/drain/drain.go `SafeToEvictLocalVolumesKey`, at tag cluster-autoscaler-1.35.0).
 */
export const SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION =
  'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

/**
 * Cluster Autoscaler's `--skip-nodes-with-local-storage` defaults to true (config/flags/flags.go at
 * cluster-autoscaler-1.35.0): a node running a pod with an emptyDir is never removed unless the pod
 * names every such volume in {@link SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION}. Every platform pod mounts
 * a scratch emptyDir, so without it the node groups only ever grow.
 */
export const localVolumesEvictable: ResourceValidationPolicy = {
  name: 'local-volumes-evictable',
  description: `A Deployment whose pods mount emptyDir volumes must list all of them in the '${SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION}' pod annotation, so Cluster Autoscaler can remove its nodes.`,
  enforcementLevel: 'mandatory',
  validateResource: forTypes(['k8s:Deployment'], ({ props }, report) => {
    const template = obj(at(props, 'spec.template')) ?? {};
    const emptyDirs = arr(at(template, 'spec.volumes'))
      .map(obj)
      .filter((v): v is Props => v?.emptyDir !== undefined)
      .map((v) => str(v.name) ?? '');
    if (emptyDirs.length === 0) return;
    const listed = (
      str(obj(at(template, 'metadata.annotations'))?.[SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION]) ?? ''
    )
      .split(',')
      .map((s) => s.trim());
    const missing = emptyDirs.filter((v) => !listed.includes(v));
    if (missing.length > 0) {
      const name = str(at(props, 'metadata.name')) ?? '?';
      report(
        `Deployment '${name}' mounts emptyDir volume(s) ${missing.join(', ')} not listed in its pod annotation ` +
          `'${SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION}' (${JSON.stringify(listed.filter(Boolean).join(','))}); ` +
          `list every emptyDir (comma-separated), or Cluster Autoscaler never removes the node it runs on.`,
      );
    }
  }),
};

/** An autoscaler maximum above which a fixed PDB count stalls node-group updates. */
export const FIXED_PDB_MAX_REPLICAS = 10;

/**
 * A fixed `maxUnavailable`/`minAvailable` count stays put while a Deployment scales out: at 150 pods a
 * budget of 1 evicts one pod per replacement cycle, and a node-group update draining a third of the
 * nodes then exceeds EKS's 15-minute eviction window (PodEvictionFailure). An autoscaled Deployment
 * whose maximum exceeds {@link FIXED_PDB_MAX_REPLICAS} needs a percentage budget.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
 */
export const pdbScalesWithReplicas: StackValidationPolicy = {
  name: 'pdb-scales-with-replicas',
  description: `The PodDisruptionBudget of an autoscaled Deployment whose maximum exceeds ${FIXED_PDB_MAX_REPLICAS} must set its budget (maxUnavailable, or minAvailable) as a percentage, so node-group updates finish within EKS's 15-minute eviction window.`,
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const objects = k8sObjects(args.resources);
    for (const s of autoscalersOf(objects)) {
      if (s.max === undefined || s.max <= FIXED_PDB_MAX_REPLICAS) continue;
      const labels = obj(
        at(
          objects.find(
            (d) =>
              d.kind === 'Deployment' &&
              d.region === s.o.region &&
              d.namespace === s.o.namespace &&
              d.name === s.target,
          )?.props,
          'spec.template.metadata.labels',
        ),
      );
      if (!labels) continue;
      for (const pdb of objects.filter(
        (o) => o.kind === 'PodDisruptionBudget' && o.region === s.o.region && o.namespace === s.o.namespace,
      )) {
        const want = Object.entries(obj(at(pdb.props, 'spec.selector.matchLabels')) ?? {});
        if (want.length === 0 || !want.every(([k, v]) => labels[k] === v)) continue;
        const budget = at(pdb.props, 'spec.maxUnavailable') ?? at(pdb.props, 'spec.minAvailable');
        if (typeof budget !== 'string' || !/^\d+%$/.test(budget)) {
          reportViolation(
            `PodDisruptionBudget '${pdb.namespace}/${pdb.name}' (${pdb.region}) of Deployment '${s.target}' (max ${s.max} replicas) ` +
              `sets a fixed budget (${JSON.stringify(budget ?? null)}); ` +
              "use a percentage (e.g. '10%') so drains scale with the replica count.",
            pdb.r.urn,
          );
        }
      }
    }
  },
};
