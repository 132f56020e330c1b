import { ResourceValidationPolicy } from '@pulumi/policy';
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
