import { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { localVolumesEvictable, pdbScalesWithReplicas } from './node-scale-down';
import { arr, at, forTypes, k8sId, kindOf, obj, Props, REGION_LABEL, regionOf, str } from './props';

/** Kubernetes kinds that run pods, as `forTypes` keys. */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
].map((k) => `k8s:${k}`);

/** The pod spec of a workload manifest. */
export function podSpecOf(props: Props): Props {
  switch (kindOf(props)) {
    case 'Pod':
      return obj(props.spec) ?? {};
    case 'CronJob':
      return obj(at(props, 'spec.jobTemplate.spec.template.spec')) ?? {};
    default:
      return obj(at(props, 'spec.template.spec')) ?? {};
  }
}

/** Every container of a pod spec (init containers included), with its name. */
export function containersOf(pod: Props): Props[] {
  return [...arr(pod.initContainers), ...arr(pod.containers)]
    .map(obj)
    .filter((c): c is Props => c !== undefined);
}

const who = (props: Props): string => {
  const { namespace, name } = k8sId(props);
  return `${kindOf(props)} '${namespace}/${name}'`;
};
const cname = (c: Props) => `'${str(c.name) ?? '<unnamed>'}'`;

/** Runs `check` on each container of a workload and reports one violation listing the offenders. */
function perContainer(
  check: (c: Props, pod: Props) => string | undefined,
  message: (workload: string, problems: string[]) => string,
): ResourceValidationPolicy['validateResource'] {
  return forTypes(WORKLOAD_KINDS, ({ props }, report) => {
    const pod = podSpecOf(props);
    const problems = containersOf(pod)
      .map((c) => check(c, pod))
      .filter((p): p is string => p !== undefined);
    if (problems.length > 0) report(message(who(props), problems));
  });
}

const DIGEST = /@sha256:[a-f0-9]{64}$/;
/** The tag of an image reference, ignoring a registry port; undefined when untagged. */
export function imageTag(image: string): string | undefined {
  const ref = image.split('@')[0];
  const last = ref.split('/').pop() ?? '';
  return last.includes(':') ? last.split(':').pop() : undefined;
}

/** Images carry an explicit tag other than `latest` (or a digest). */
export const imageTagPinned: ResourceValidationPolicy = {
  name: 'image-tag-pinned',
  description: "Container images must be pinned by a tag other than 'latest', or by digest.",
  enforcementLevel: 'mandatory',
  validateResource: perContainer(
    (c) => {
      const image = str(c.image) ?? '';
      if (DIGEST.test(image)) return undefined;
      const tag = imageTag(image);
      return tag === undefined || tag === 'latest' ? `${cname(c)} uses ${JSON.stringify(image)}` : undefined;
    },
    (w, p) =>
      `${w} must pin its images by an immutable tag or digest, not 'latest' or no tag (${p.join('; ')}); set the image to repo:<version> or repo@sha256:<digest>.`,
  ),
};

/** Advisory: images are pinned by digest, so a re-pushed tag cannot change what runs. */
export const imageDigest: ResourceValidationPolicy = {
  name: 'image-digest',
  description: 'Container images must be pinned by digest (repo@sha256:<digest>); advisory.',
  enforcementLevel: 'advisory',
  validateResource: perContainer(
    (c) =>
      DIGEST.test(str(c.image) ?? '')
        ? undefined
        : `${cname(c)} uses ${JSON.stringify(str(c.image) ?? null)}`,
    (w, p) =>
      `${w} must pin its images by digest to be immutable (${p.join('; ')}); use repo@sha256:<digest> (config workloads.images).`,
  ),
};

/** A private ECR image: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/...` (group 2 is the region). */
const PRIVATE_ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//;

/**
 * Static stability: a workload pulls its private ECR images from its own region's registry (ECR
 * replication copies them there), so a DR scale-up never depends on the primary region. The region is
 * the object's `risk-platform/region` label, as the DR parity rules read it. Public images
 * (`public.ecr.aws`, itself multi-region) are not checked.
 */
export const imageRegistryInRegion: ResourceValidationPolicy = {
  name: 'image-registry-in-region',
  description:
    "Private ECR images must come from the registry of the workload's own region (risk-platform/region), so the DR region pulls without the primary region.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(WORKLOAD_KINDS, ({ props }, report) => {
    const region = str(obj(at(props, 'metadata.labels'))?.[REGION_LABEL]);
    const problems = containersOf(podSpecOf(props)).flatMap((c) => {
      const image = str(c.image) ?? '';
      const registryRegion = PRIVATE_ECR_IMAGE.exec(image)?.[2];
      return registryRegion === undefined || registryRegion === region
        ? []
        : [`${cname(c)} pulls ${JSON.stringify(image)} from ${registryRegion}`];
    });
    if (problems.length === 0) return;
    report(
      region === undefined
        ? `${who(props)} must carry the '${REGION_LABEL}' label so its private ECR images can be checked against its region (${problems.join('; ')}).`
        : `${who(props)} runs in ${region} and must pull its private ECR images from that region's registry (${problems.join('; ')}); ` +
            `use <account>.dkr.ecr.${region}.amazonaws.com/<repository> (config workloads.images is a repository path; ECR replication copies risk/ to the DR region).`,
    );
  }),
};

/** CPU and memory requests and limits on every container. */
export const containerResources: ResourceValidationPolicy = {
  name: 'container-resources',
  description: 'Containers must set CPU and memory requests and limits.',
  enforcementLevel: 'mandatory',
  validateResource: perContainer(
    (c) => {
      const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter(
        (p) => at(c.resources, p) === undefined,
      );
      return missing.length > 0 ? `${cname(c)} lacks resources.${missing.join(', resources.')}` : undefined;
    },
    (w, p) =>
      `${w} must set CPU and memory requests and limits on every container (${p.join('; ')}); set resources.requests and resources.limits.`,
  ),
};

/** Readiness and liveness probes on every long-running container. */
export const containerProbes: ResourceValidationPolicy = {
  name: 'container-probes',
  description: 'Containers must define readiness and liveness probes.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes(WORKLOAD_KINDS, ({ props }, report) => {
    const kind = kindOf(props);
    if (kind === 'Job' || kind === 'CronJob') return; // run-to-completion pods are not probed
    const problems = arr(podSpecOf(props).containers)
      .map(obj)
      .filter((c): c is Props => c !== undefined)
      .map((c) => {
        const missing = ['readinessProbe', 'livenessProbe'].filter((p) => obj(c[p]) === undefined);
        return missing.length > 0 ? `${cname(c)} lacks ${missing.join(' and ')}` : undefined;
      })
      .filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      report(
        `${who(props)} must define readiness and liveness probes on every container (${problems.join('; ')}); add readinessProbe and livenessProbe.`,
      );
    }
  }),
};

/** Containers run as non-root, with a read-only root filesystem, no capabilities, no escalation and unprivileged. */
export const containerSecurityContext: ResourceValidationPolicy = {
  name: 'container-security-context',
  description:
    'Containers must run as non-root with a read-only root filesystem, drop ALL capabilities, and disallow privilege escalation and privileged mode.',
  enforcementLevel: 'mandatory',
  validateResource: perContainer(
    (c, pod) => {
      const sc = obj(c.securityContext) ?? {};
      const podSc = obj(pod.securityContext) ?? {};
      const missing: string[] = [];
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) missing.push('runAsNonRoot: true');
      if (sc.readOnlyRootFilesystem !== true) missing.push('readOnlyRootFilesystem: true');
      if (!arr(at(sc, 'capabilities.drop')).includes('ALL')) missing.push("capabilities.drop: ['ALL']");
      if (sc.allowPrivilegeEscalation !== false) missing.push('allowPrivilegeEscalation: false');
      if (sc.privileged === true) missing.push('privileged: false');
      return missing.length > 0 ? `${cname(c)} needs securityContext ${missing.join(', ')}` : undefined;
    },
    (w, p) => `${w} must run hardened containers (${p.join('; ')}); set those securityContext fields.`,
  ),
};

/** Pods run under their own service account, never `default`. */
export const noDefaultServiceAccount: ResourceValidationPolicy = {
  name: 'no-default-service-account',
  description: "Workloads must run under their own service account, not 'default'.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(WORKLOAD_KINDS, ({ props }, report) => {
    const pod = podSpecOf(props);
    const sa = str(pod.serviceAccountName) ?? str(pod.serviceAccount) ?? 'default';
    if (sa === 'default') {
      report(
        `${who(props)} must run under its own service account (serviceAccountName is '${sa}'); create one and set spec.template.spec.serviceAccountName.`,
      );
    }
  }),
};

const SECRET_NAME =
  /(secret|passw(or)?d|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|client[_-]?secret)/i;
const SECRET_VALUE =
  /(AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[abp]-|ghp_[A-Za-z0-9]{20,}/;

/** No secret-looking literal values in container env. */
export const noSecretLiteralsInEnv: ResourceValidationPolicy = {
  name: 'no-secret-literals-in-env',
  description:
    'Container env must not hold secret-looking literal values; reference a Secret or use workload identity.',
  enforcementLevel: 'mandatory',
  validateResource: perContainer(
    (c) => {
      const bad = arr(c.env)
        .map(obj)
        .filter((e): e is Props => e !== undefined)
        .filter((e) => {
          const value = str(e.value);
          return value !== undefined && (SECRET_NAME.test(str(e.name) ?? '') || SECRET_VALUE.test(value));
        })
        .map((e) => str(e.name) ?? '<unnamed>');
      return bad.length > 0 ? `${cname(c)} sets ${bad.join(', ')} literally` : undefined;
    },
    (w, p) =>
      `${w} must not put secret literals in env (${p.join('; ')}); use valueFrom.secretKeyRef, or EKS Pod Identity for AWS credentials.`,
  ),
};

/** Replicated workloads spread across availability zones. */
export const topologySpreadZones: ResourceValidationPolicy = {
  name: 'topology-spread-zones',
  description:
    "Replicated workloads must spread their pods across zones (topologySpreadConstraints on 'topology.kubernetes.io/zone').",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(['k8s:Deployment', 'k8s:StatefulSet'], ({ props }, report) => {
    const spread = arr(podSpecOf(props).topologySpreadConstraints).some(
      (t) => obj(t)?.topologyKey === 'topology.kubernetes.io/zone',
    );
    if (!spread) {
      report(
        `${who(props)} must spread its pods across zones; add a topologySpreadConstraint with topologyKey ` +
          "'topology.kubernetes.io/zone', maxSkew 1 and the workload's selector labels.",
      );
    }
  }),
};

/** True for a NetworkPolicy that selects every pod and allows nothing in both directions. */
export function isDefaultDeny(props: Props): boolean {
  const spec = obj(props.spec) ?? {};
  const selector = obj(spec.podSelector);
  const selectsAll =
    selector !== undefined &&
    Object.keys(obj(selector.matchLabels) ?? {}).length === 0 &&
    arr(selector.matchExpressions).length === 0;
  const types = arr(spec.policyTypes);
  return (
    selectsAll &&
    types.includes('Ingress') &&
    types.includes('Egress') &&
    arr(spec.ingress).length === 0 &&
    arr(spec.egress).length === 0
  );
}

/** Every namespace that runs workloads has a default-deny NetworkPolicy (per cluster, i.e. per region). */
export const networkPolicyDefaultDeny: StackValidationPolicy = {
  name: 'network-policy-default-deny',
  description: 'Every namespace with workloads must have a default-deny (ingress and egress) NetworkPolicy.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const k8s = args.resources.filter((r) => r.type.startsWith('kubernetes:'));
    const key = (r: (typeof k8s)[number]) => `${regionOf(r) ?? '?'}/${k8sId(r.props as Props).namespace}`;
    const denied = new Set(
      k8s
        .filter((r) => kindOf(r.props as Props) === 'NetworkPolicy' && isDefaultDeny(r.props as Props))
        .map(key),
    );
    const reported = new Set<string>();
    for (const r of k8s) {
      const props = r.props as Props;
      if (!WORKLOAD_KINDS.includes(`k8s:${kindOf(props)}`) || denied.has(key(r)) || reported.has(key(r)))
        continue;
      reported.add(key(r));
      const { namespace } = k8sId(props);
      reportViolation(
        `Namespace '${namespace}' (${regionOf(r) ?? 'unknown region'}) must have a default-deny NetworkPolicy because ${who(props)} runs in it; ` +
          "add a NetworkPolicy with podSelector: {} and policyTypes: ['Ingress', 'Egress'] and no rules, then allow each flow explicitly.",
        r.urn,
      );
    }
  },
};

export const kubernetesWorkloadPolicies = [
  imageTagPinned,
  imageDigest,
  imageRegistryInRegion,
  containerResources,
  containerProbes,
  containerSecurityContext,
  noDefaultServiceAccount,
  noSecretLiteralsInEnv,
  topologySpreadZones,
  networkPolicyDefaultDeny,
  localVolumesEvictable,
  pdbScalesWithReplicas,
];
