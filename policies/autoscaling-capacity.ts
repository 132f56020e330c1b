import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { arr, at, forTypes, k8sId, kindOf, num, obj, physicalName, Props, regionOf, str } from './props';

const KINESIS_STREAM = 'aws:kinesis/stream:Stream';

/** A Kubernetes object of the stack, with what the autoscaling rules join on. */
export interface K8sObject {
  readonly r: PolicyResource;
  readonly props: Props;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly region: string;
}

export function k8sObjects(resources: readonly PolicyResource[]): K8sObject[] {
  return resources
    .filter((r) => r.type.startsWith('kubernetes:') && kindOf(r.props as Props) !== undefined)
    .map((r) => {
      const props = r.props as Props;
      return { r, props, kind: kindOf(props) as string, ...k8sId(props), region: regionOf(r) ?? '?' };
    });
}

/** An autoscaler (HPA or KEDA ScaledObject) and the Deployment it scales. */
export interface Autoscaler {
  readonly o: K8sObject;
  readonly target: string;
  readonly min: number;
  readonly max: number | undefined;
}

/** The autoscalers of the stack that target Deployments. */
export function autoscalersOf(objects: readonly K8sObject[]): Autoscaler[] {
  return objects.flatMap((o): Autoscaler[] => {
    const ref = obj(at(o.props, 'spec.scaleTargetRef'));
    const target = str(ref?.name);
    if (!target || (str(ref?.kind) ?? 'Deployment') !== 'Deployment') return [];
    if (o.kind === 'HorizontalPodAutoscaler') {
      return [
        {
          o,
          target,
          min: num(at(o.props, 'spec.minReplicas')) ?? 1,
          max: num(at(o.props, 'spec.maxReplicas')),
        },
      ];
    }
    if (o.kind === 'ScaledObject') {
      return [
        {
          o,
          target,
          min: num(at(o.props, 'spec.minReplicaCount')) ?? 0,
          max: num(at(o.props, 'spec.maxReplicaCount')) ?? 100,
        },
      ];
    }
    return [];
  });
}

const sameScope = (a: K8sObject, b: K8sObject) => a.region === b.region && a.namespace === b.namespace;
const where = (o: K8sObject) => `${o.kind} '${o.namespace}/${o.name}' (${o.region})`;

/** The pods an int-or-percent value stands for out of `of`, rounding up as Kubernetes does. */
function scaled(v: unknown, of: number): number | undefined {
  const pct = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  return pct ? Math.ceil((Number(pct[1]) * of) / 100) : num(v);
}

/** True when every label of the selector is on the pod template. */
const selects = (selector: unknown, labels: unknown): boolean => {
  const want = Object.entries(obj(obj(selector)?.matchLabels) ?? {});
  const have = obj(labels) ?? {};
  return want.length > 0 && want.every(([k, v]) => have[k] === v);
};

/** Every Deployment has a PDB that still lets a drain proceed at the autoscaler minimum. */
export const deploymentPdb: StackValidationPolicy = {
  name: 'deployment-pdb',
  description:
    'Every Deployment must have a PodDisruptionBudget whose minAvailable (at the autoscaler minimum) is below that minimum.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const objects = k8sObjects(args.resources);
    const scalers = autoscalersOf(objects);
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const scaler = scalers.find((s) => sameScope(s.o, d) && s.target === d.name);
      const min = scaler?.min ?? num(at(d.props, 'spec.replicas')) ?? 1;
      const podLabels = at(d.props, 'spec.template.metadata.labels');
      const pdb = objects.find(
        (o) =>
          o.kind === 'PodDisruptionBudget' &&
          sameScope(o, d) &&
          selects(at(o.props, 'spec.selector'), podLabels),
      );
      if (!pdb) {
        reportViolation(
          `${where(d)} must have a PodDisruptionBudget; add a policy/v1 PodDisruptionBudget selecting its pod labels with maxUnavailable >= 1.`,
          d.r.urn,
        );
        continue;
      }
      if (min < 1) continue; // scales to zero: any budget lets a drain proceed
      const spec = obj(pdb.props.spec) ?? {};
      const required =
        spec.minAvailable !== undefined
          ? scaled(spec.minAvailable, min)
          : min - (scaled(spec.maxUnavailable, min) ?? 0);
      if (required === undefined || required >= min) {
        reportViolation(
          `${where(pdb)} must require fewer pods than ${d.name}'s autoscaler minimum (${min}) or node drains block ` +
            `(minAvailable ${JSON.stringify(spec.minAvailable ?? null)}, maxUnavailable ${JSON.stringify(spec.maxUnavailable ?? null)}); ` +
            'set maxUnavailable to at least 1, or minAvailable below the minimum.',
          pdb.r.urn,
        );
      }
    }
  },
};

/** Configuration of `hpa-replica-bounds`. */
export interface HpaBoundsConfig {
  /** The smallest HPA minReplicas allowed. @default 2 (prod; dev and staging config relax it) */
  readonly minReplicas?: number;
}

/** HPAs keep a redundant floor and room to scale. */
export const hpaReplicaBounds: ResourceValidationPolicy = {
  name: 'hpa-replica-bounds',
  description:
    'HorizontalPodAutoscalers must have minReplicas at least the configured floor (2 in prod) and maxReplicas above minReplicas.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { minReplicas: { type: 'integer', minimum: 1 } } },
  validateResource: forTypes<HpaBoundsConfig>(
    ['k8s:HorizontalPodAutoscaler'],
    ({ props, config }, report) => {
      const floor = config.minReplicas ?? 2;
      const min = num(at(props, 'spec.minReplicas')) ?? 1;
      const max = num(at(props, 'spec.maxReplicas')) ?? 0;
      if (min < floor || max <= min) {
        const { namespace, name } = k8sId(props);
        report(
          `HorizontalPodAutoscaler '${namespace}/${name}' must have minReplicas >= ${floor} and maxReplicas > minReplicas ` +
            `(minReplicas ${min}, maxReplicas ${max}); raise the bounds in the capacity model.`,
        );
      }
    },
  ),
};

/** One Deployment is scaled by one autoscaler: an HPA and a ScaledObject would fight. */
export const autoscalerExclusive: StackValidationPolicy = {
  name: 'autoscaler-exclusive',
  description: 'A Deployment must not be targeted by both a HorizontalPodAutoscaler and a KEDA ScaledObject.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const scalers = autoscalersOf(k8sObjects(args.resources));
    for (const hpa of scalers.filter((s) => s.o.kind === 'HorizontalPodAutoscaler')) {
      const so = scalers.find(
        (s) => s.o.kind === 'ScaledObject' && sameScope(s.o, hpa.o) && s.target === hpa.target,
      );
      // KEDA creates its own HPA named keda-hpa-<scaledobject>; a declared one next to it is the conflict.
      if (so) {
        reportViolation(
          `Deployment '${hpa.o.namespace}/${hpa.target}' (${hpa.o.region}) must have one autoscaler, but ${where(hpa.o)} and ${where(so.o)} ` +
            'both target it; keep the ScaledObject (KEDA manages its own HPA) or the HPA, not both.',
          hpa.o.r.urn,
        );
      }
    }
  },
};

/** Configuration of `keda-kinesis-max-replicas`. */
export interface KedaKinesisConfig {
  /** The shard-count equivalent the capacity model assumes for an ON_DEMAND stream. @default - ON_DEMAND streams are not checked */
  readonly onDemandShardCount?: number;
}

/** A Kinesis-scaled consumer never has more replicas than the stream has shards (extra replicas hold no lease). */
export const kedaKinesisMaxReplicas: StackValidationPolicy = {
  name: 'keda-kinesis-max-replicas',
  description:
    "A KEDA aws-kinesis-stream ScaledObject's maxReplicaCount must not exceed the stream's shard count (same region).",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { onDemandShardCount: { type: 'integer', minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<KedaKinesisConfig>() ?? {};
    const streams = args.resources.filter((r) => r.type === KINESIS_STREAM);
    for (const o of k8sObjects(args.resources).filter((x) => x.kind === 'ScaledObject')) {
      const max = num(at(o.props, 'spec.maxReplicaCount')) ?? 100;
      for (const t of arr(at(o.props, 'spec.triggers')).map(obj)) {
        if (t?.type !== 'aws-kinesis-stream') continue;
        const streamName = str(at(t, 'metadata.streamName'));
        const region = str(at(t, 'metadata.awsRegion')) ?? o.region;
        const stream = streams.find(
          (s) => physicalName(s) === streamName && (regionOf(s) ?? region) === region,
        );
        if (!stream) {
          reportViolation(
            `${where(o)} must scale on a Kinesis stream of this stack in its region, but no stream '${streamName ?? '<no streamName>'}' ` +
              `exists in ${region}; set triggers[].metadata.streamName to the region's stream name.`,
            o.r.urn,
          );
          continue;
        }
        const onDemand = at(stream.props, 'streamModeDetails.streamMode') === 'ON_DEMAND';
        const shards = onDemand ? config.onDemandShardCount : num((stream.props as Props).shardCount);
        if (shards !== undefined && max > shards) {
          reportViolation(
            `${where(o)} must have maxReplicaCount <= the shard count of stream '${streamName}' (${shards}${onDemand ? ', ON_DEMAND equivalent' : ''}), ` +
              `but it is ${max}; cap it at the shard count from the capacity model.`,
            o.r.urn,
          );
        }
      }
    }
  },
};

/** KEDA scalers authenticate through workload identity: no static keys anywhere. */
export const kedaWorkloadIdentity: ResourceValidationPolicy = {
  name: 'keda-workload-identity',
  description:
    "KEDA AWS scalers must authenticate through workload identity (TriggerAuthentication podIdentity.provider 'aws'), never static keys.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(
    ['k8s:TriggerAuthentication', 'k8s:ClusterTriggerAuthentication', 'k8s:ScaledObject'],
    ({ props }, report) => {
      const { namespace, name } = k8sId(props);
      const kind = kindOf(props);
      const problems: string[] = [];
      if (kind === 'ScaledObject') {
        for (const t of arr(at(props, 'spec.triggers')).map(obj)) {
          if (!str(t?.type)?.startsWith('aws-')) continue;
          const keys = Object.keys(obj(t?.metadata) ?? {}).filter((k) =>
            /accessKey|secretAccessKey|sessionToken/i.test(k),
          );
          if (keys.length > 0) problems.push(`trigger ${t?.type} sets ${keys.join(', ')} in metadata`);
          if (!str(at(t, 'authenticationRef.name')))
            problems.push(`trigger ${t?.type} has no authenticationRef`);
        }
      } else {
        const spec = obj(props.spec) ?? {};
        const provider = str(at(spec, 'podIdentity.provider'));
        if (provider !== 'aws') problems.push(`podIdentity.provider is ${JSON.stringify(provider ?? null)}`);
        for (const k of [
          'secretTargetRef',
          'env',
          'hashiCorpVault',
          'azureKeyVault',
          'awsSecretManager',
        ].filter((f) => spec[f] !== undefined)) {
          problems.push(`it reads credentials from ${k}`);
        }
      }
      if (problems.length > 0) {
        report(
          `${kind} '${namespace}/${name}' must authenticate through workload identity (${problems.join('; ')}); ` +
            "use a TriggerAuthentication with podIdentity: { provider: 'aws', roleArn: <the workload's role> } and reference it from each trigger.",
        );
      }
    },
  ),
};

export const autoscalingCapacityPolicies = [
  deploymentPdb,
  hpaReplicaBounds,
  autoscalerExclusive,
  kedaKinesisMaxReplicas,
  kedaWorkloadIdentity,
];
