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
  /** The smallest autoscaler minimum allowed. @default 2 (prod; dev and staging config relax it) */
  readonly minReplicas?: number;
}

/** The bound fields of each autoscaler kind, and KEDA's defaults for a ScaledObject. */
const BOUND_FIELDS = {
  HorizontalPodAutoscaler: { min: 'minReplicas', max: 'maxReplicas', defaultMin: 1, defaultMax: 0 },
  ScaledObject: { min: 'minReplicaCount', max: 'maxReplicaCount', defaultMin: 0, defaultMax: 100 },
} as const;

/** Autoscalers (HPAs and the KEDA ScaledObjects that own an HPA) keep a redundant floor and room to scale. */
export const hpaReplicaBounds: ResourceValidationPolicy = {
  name: 'hpa-replica-bounds',
  description:
    'HorizontalPodAutoscalers and KEDA ScaledObjects must have a minimum at least the configured floor (2 in prod) and a maximum above the minimum.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { minReplicas: { type: 'integer', minimum: 1 } } },
  validateResource: forTypes<HpaBoundsConfig>(
    ['k8s:HorizontalPodAutoscaler', 'k8s:ScaledObject'],
    ({ props, config }, report) => {
      const kind = kindOf(props) as keyof typeof BOUND_FIELDS;
      const fields = BOUND_FIELDS[kind];
      const floor = config.minReplicas ?? 2;
      const min = num(at(props, `spec.${fields.min}`)) ?? fields.defaultMin;
      const max = num(at(props, `spec.${fields.max}`)) ?? fields.defaultMax;
      if (min < floor || max <= min) {
        const { namespace, name } = k8sId(props);
        report(
          `${kind} '${namespace}/${name}' must have ${fields.min} >= ${floor} and ${fields.max} > ${fields.min} ` +
            `(${fields.min} ${min}, ${fields.max} ${max}); raise the bounds in the capacity model.`,
        );
      }
    },
  ),
};

/**
 * One Deployment is scaled by one autoscaler. A ScaledObject owns an HPA of its own (named
 * `keda-hpa-<name>`, or `advanced.horizontalPodAutoscalerConfig.name`), so a declared HPA next to it,
 * or a second ScaledObject, would fight it for the replica count.
 */
export const autoscalerExclusive: StackValidationPolicy = {
  name: 'autoscaler-exclusive',
  description:
    'A Deployment must be targeted by one autoscaler: never an HPA and a KEDA ScaledObject, nor two of either.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const scalers = autoscalersOf(k8sObjects(args.resources));
    scalers.forEach((a, i) => {
      const other = scalers.slice(0, i).find((b) => sameScope(a.o, b.o) && a.target === b.target);
      if (other) {
        reportViolation(
          `Deployment '${a.o.namespace}/${a.target}' (${a.o.region}) must have one autoscaler, but ${where(other.o)} and ${where(a.o)} ` +
            'both target it; keep one ScaledObject (KEDA manages its own HPA) or one HPA, not both.',
          a.o.r.urn,
        );
      }
    });
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

/** Where a TriggerAuthentication reads parameters from (each entry names its `parameter`). */
const CREDENTIAL_REFS = ['secretTargetRef', 'env', 'configMapTargetRef'] as const;

/** KEDA AWS scalers authenticate through workload identity: no static keys anywhere. */
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
        // Only the authentications of AWS scalers are in scope: workload identity, or AWS parameters
        // from anywhere. A non-AWS scaler's parameters (the datadog scaler's cluster agent token) are not.
        const awsParameters = CREDENTIAL_REFS.flatMap((f) => arr(spec[f]).map(obj))
          .map((ref) => str(ref?.parameter) ?? '')
          .filter((param) => /^aws/i.test(param));
        if (
          spec.podIdentity === undefined &&
          spec.awsSecretManager === undefined &&
          awsParameters.length === 0
        )
          return;
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
