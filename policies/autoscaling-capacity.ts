import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { kedaDatadogFallback, kedaKinesisLoadSignal, kedaKinesisMaxReplicas } from './keda-triggers';
import { kedaClusterAgentTls } from './keda-tls';
import { kedaCronFloor } from './keda-cron';
import { arr, at, forTypes, k8sId, kindOf, num, obj, Props, regionOf, str } from './props';

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

/** Where a TriggerAuthentication reads parameters from (each entry names its `parameter`). */
const CREDENTIAL_REFS = ['secretTargetRef', 'env', 'configMapTargetRef'] as const;

/** The Secret type the token controller fills with a never-expiring ServiceAccount token. */
export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
/** The namespace KEDA resolves a ClusterTriggerAuthentication's Secrets in (`KEDA_CLUSTER_OBJECT_NAMESPACE`, default: KEDA's own). */
const KEDA_CLUSTER_OBJECT_NAMESPACE = 'keda';
/** Secret keys that hold AWS credentials (`AWS_ACCESS_KEY_ID`, `awsSecretAccessKey`, `aws_session_token`, ...). */
const AWS_KEY_NAME = /(^aws)|access[-_]?key|secret[-_]?access|session[-_]?token/i;
/** An AWS access key ID in a `stringData` value (long-term `AKIA`, temporary `ASIA`). */
const AWS_ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;

/** Why a Secret must not back a scaler's authentication, or undefined when it may. */
function longLivedCredential(secret: Props): string | undefined {
  if (str(secret.type) === SERVICE_ACCOUNT_TOKEN_SECRET_TYPE)
    return `is a ${SERVICE_ACCOUNT_TOKEN_SECRET_TYPE} Secret (a token that never expires)`;
  const keys = [...Object.keys(obj(secret.data) ?? {}), ...Object.keys(obj(secret.stringData) ?? {})];
  const awsKeys = keys.filter((k) => AWS_KEY_NAME.test(k));
  const values = Object.values(obj(secret.stringData) ?? {}).filter(
    (v) => typeof v === 'string' && AWS_ACCESS_KEY_ID.test(v),
  );
  if (awsKeys.length > 0 || values.length > 0)
    return `holds AWS keys (${awsKeys.length > 0 ? awsKeys.join(', ') : 'an access key ID'})`;
  return undefined;
}

/** The resource-level problems of one TriggerAuthentication, ClusterTriggerAuthentication or ScaledObject. */
function authenticationProblems(kind: string | undefined, props: Props): string[] {
  const problems: string[] = [];
  if (kind === 'ScaledObject') {
    for (const t of arr(at(props, 'spec.triggers')).map(obj)) {
      if (!str(t?.type)?.startsWith('aws-')) continue;
      const keys = Object.keys(obj(t?.metadata) ?? {}).filter((k) =>
        /accessKey|secretAccessKey|sessionToken/i.test(k),
      );
      if (keys.length > 0) problems.push(`trigger ${t?.type} sets ${keys.join(', ')} in metadata`);
      if (!str(at(t, 'authenticationRef.name'))) problems.push(`trigger ${t?.type} has no authenticationRef`);
    }
    return problems;
  }
  const spec = obj(props.spec) ?? {};
  // Workload identity applies to the authentications of AWS scalers: workload identity, or AWS
  // parameters from anywhere. A non-AWS scaler's parameters (the datadog scaler's token) are not AWS.
  const awsParameters = CREDENTIAL_REFS.flatMap((f) => arr(spec[f]).map(obj))
    .map((ref) => str(ref?.parameter) ?? '')
    .filter((param) => /^aws/i.test(param));
  if (spec.podIdentity === undefined && spec.awsSecretManager === undefined && awsParameters.length === 0)
    return problems;
  const provider = str(at(spec, 'podIdentity.provider'));
  if (provider !== 'aws') problems.push(`podIdentity.provider is ${JSON.stringify(provider ?? null)}`);
  for (const k of ['secretTargetRef', 'env', 'hashiCorpVault', 'azureKeyVault', 'awsSecretManager'].filter(
    (f) => spec[f] !== undefined,
  )) {
    problems.push(`it reads credentials from ${k}`);
  }
  return problems;
}

/**
 * KEDA scalers authenticate with short-lived credentials only:
 * - AWS scalers through workload identity (`podIdentity.provider: aws`), never static keys;
 * - no TriggerAuthentication (of any scaler) reads a `kubernetes.io/service-account-token` Secret
 *   (use `boundServiceAccountToken`: KEDA requests short-lived tokens) or a Secret holding AWS keys.
 * A stack policy: the Secret a `secretTargetRef` names is another object (same region and namespace;
 * KEDA's namespace for a ClusterTriggerAuthentication). A Secret not declared in the stack is not seen.
 */
export const kedaWorkloadIdentity: StackValidationPolicy = {
  name: 'keda-workload-identity',
  description:
    "KEDA AWS scalers must authenticate through workload identity (TriggerAuthentication podIdentity.provider 'aws'), never static keys, and no TriggerAuthentication may read a service-account-token Secret or a Secret holding AWS keys.",
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const objects = k8sObjects(args.resources);
    const secrets = objects.filter((o) => o.kind === 'Secret');
    for (const o of objects) {
      if (!['TriggerAuthentication', 'ClusterTriggerAuthentication', 'ScaledObject'].includes(o.kind))
        continue;
      const problems = authenticationProblems(o.kind, o.props);
      if (problems.length > 0) {
        reportViolation(
          `${o.kind} '${o.namespace}/${o.name}' must authenticate through workload identity (${problems.join('; ')}); ` +
            "use a TriggerAuthentication with podIdentity: { provider: 'aws', roleArn: <the workload's scaler role> } and reference it from each trigger.",
          o.r.urn,
        );
      }
      if (o.kind === 'ScaledObject') continue;
      const namespace =
        o.kind === 'ClusterTriggerAuthentication' ? KEDA_CLUSTER_OBJECT_NAMESPACE : o.namespace;
      const longLived = arr(at(o.props, 'spec.secretTargetRef'))
        .map(obj)
        .flatMap((ref) => {
          const secret = secrets.find(
            (x) => x.region === o.region && x.namespace === namespace && x.name === str(ref?.name),
          );
          const why = secret && longLivedCredential(secret.props);
          return why
            ? [
                `parameter ${str(ref?.parameter) ?? '?'} reads Secret '${namespace}/${secret.name}', which ${why}`,
              ]
            : [];
        });
      if (longLived.length > 0) {
        reportViolation(
          `${o.kind} '${o.namespace}/${o.name}' must not read long-lived credentials (${longLived.join('; ')}); ` +
            'use boundServiceAccountToken: [{ parameter, serviceAccountName }] for a Kubernetes token, podIdentity for AWS.',
          o.r.urn,
        );
      }
    }
  },
};

export const autoscalingCapacityPolicies = [
  deploymentPdb,
  hpaReplicaBounds,
  autoscalerExclusive,
  kedaKinesisMaxReplicas,
  kedaKinesisLoadSignal,
  kedaDatadogFallback,
  kedaWorkloadIdentity,
  kedaClusterAgentTls,
  kedaCronFloor,
];
