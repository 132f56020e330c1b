import { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { arr, at, forTypes, label, obj, Props, str } from './props';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../stacks/compute/versions';

const CLUSTER = 'aws:eks/cluster:Cluster';
const NODE_GROUP = 'aws:eks/nodeGroup:NodeGroup';

/**
 * Kubernetes minor versions in EKS standard support for the 2026-11 release train.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 */
export const DEFAULT_SUPPORTED_KUBERNETES_VERSIONS = SUPPORTED_KUBERNETES_VERSIONS;

/** Configuration of `eks-supported-version`. */
export interface SupportedVersionConfig {
  /** @default {@link DEFAULT_SUPPORTED_KUBERNETES_VERSIONS} */
  readonly supportedVersions?: readonly string[];
}

/** Clusters run a Kubernetes version in EKS standard support. */
export const eksSupportedVersion: ResourceValidationPolicy = {
  name: 'eks-supported-version',
  description: 'EKS clusters must pin a Kubernetes version in EKS standard support.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { supportedVersions: { type: 'array', items: { type: 'string' } } } },
  validateResource: forTypes<SupportedVersionConfig>([CLUSTER], ({ name, props, config }, report) => {
    const supported = config.supportedVersions ?? DEFAULT_SUPPORTED_KUBERNETES_VERSIONS;
    const version = str(props.version);
    if (!version || !supported.includes(version)) {
      report(
        `${label(CLUSTER, name)} must pin a supported Kubernetes version (version is ${JSON.stringify(version ?? null)}, ` +
          `supported: ${supported.join(', ')}); set version (config cluster.kubernetesVersion) to one of them.`,
      );
    }
  }),
};

const OPEN = new Set(['0.0.0.0/0', '::/0']);

/** The API endpoint is private, or public only to named CIDRs. */
export const eksNoPublicEndpoint: ResourceValidationPolicy = {
  name: 'eks-no-public-endpoint',
  description: 'EKS cluster API endpoints must not be publicly reachable from 0.0.0.0/0.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([CLUSTER], ({ name, props }, report) => {
    const vpc = obj(props.vpcConfig) ?? {};
    if (vpc.endpointPublicAccess === false) return;
    // AWS defaults: endpointPublicAccess true, publicAccessCidrs ['0.0.0.0/0'].
    const cidrs =
      vpc.publicAccessCidrs === undefined ? ['0.0.0.0/0'] : arr(vpc.publicAccessCidrs).map(String);
    if (cidrs.length === 0 || cidrs.some((c) => OPEN.has(c))) {
      report(
        `${label(CLUSTER, name)} must not expose its API endpoint to 0.0.0.0/0 (vpcConfig.endpointPublicAccess ` +
          `${JSON.stringify(vpc.endpointPublicAccess ?? null)}, publicAccessCidrs ${JSON.stringify(vpc.publicAccessCidrs ?? null)}); ` +
          'set vpcConfig.endpointPublicAccess: false, or list the allowed CIDRs in publicAccessCidrs (config cluster.publicAccessCidrs).',
      );
    }
  }),
};

/** Every EKS control-plane log type. @see https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html */
export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/** All control-plane log types go to CloudWatch. */
export const eksControlPlaneLogging: ResourceValidationPolicy = {
  name: 'eks-control-plane-logging',
  description: 'EKS clusters must enable every control-plane log type.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([CLUSTER], ({ name, props }, report) => {
    const enabled = new Set(arr(props.enabledClusterLogTypes).map(String));
    const missing = EKS_LOG_TYPES.filter((t) => !enabled.has(t));
    if (missing.length > 0) {
      report(
        `${label(CLUSTER, name)} must enable every control-plane log type (missing ${missing.join(', ')}); ` +
          `set enabledClusterLogTypes: ${JSON.stringify(EKS_LOG_TYPES)}.`,
      );
    }
  }),
};

/** Kubernetes Secrets are envelope-encrypted with the platform CMK. */
export const eksSecretsEncryption: ResourceValidationPolicy = {
  name: 'eks-secrets-encryption',
  description:
    'EKS clusters must envelope-encrypt Kubernetes secrets with a customer-managed KMS key (encryptionConfig).',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([CLUSTER], ({ name, props }, report) => {
    const ok = arr(props.encryptionConfig).some((c) => {
      const cfg = obj(c);
      return arr(cfg?.resources).includes('secrets') && str(at(cfg, 'provider.keyArn')) !== undefined;
    });
    if (!ok) {
      report(
        `${label(CLUSTER, name)} must envelope-encrypt secrets with a customer-managed KMS key; ` +
          "set encryptionConfig: { resources: ['secrets'], provider: { keyArn: <the platform key's ARN> } }.",
      );
    }
  }),
};

/** Configuration of `eks-node-group-azs`. */
export interface NodeGroupAzsConfig {
  /** @default 3 (prod; the dev and staging policy config relax it) */
  readonly minNodeGroupAzs?: number;
}

/**
 * A cluster's managed node groups together span the required number of AZs (one private subnet per
 * AZ). With one group per zone (so Cluster Autoscaler can grow the zone that needs nodes), no single
 * group spans them: the groups are joined to their cluster by `clusterName` and their subnets counted
 * together.
 */
export const eksNodeGroupAzs: StackValidationPolicy = {
  name: 'eks-node-group-azs',
  description:
    "An EKS cluster's managed node groups must together span at least the configured number of availability zones (3 in prod).",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { minNodeGroupAzs: { type: 'integer', minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const min = args.getConfig<NodeGroupAzsConfig>()?.minNodeGroupAzs ?? 3;
    const groups = args.resources.filter((r) => r.type === NODE_GROUP);
    for (const cluster of args.resources.filter((r) => r.type === CLUSTER)) {
      const clusterName = str((cluster.props as Props).name) ?? cluster.name;
      // Cluster names are unique per account and region, and name their region (`prod-risk-us-west-2`).
      const own = groups.filter((g) => str((g.props as Props).clusterName) === clusterName);
      const subnets = new Set(own.flatMap((g) => arr((g.props as Props).subnetIds).map(String)));
      if (subnets.size < min) {
        reportViolation(
          `${label(CLUSTER, cluster.name)} must have managed node groups spanning at least ${min} availability zones together ` +
            `(its ${own.length} node group(s) span ${subnets.size} subnet(s)); give it one node group per private subnet, one subnet per AZ.`,
          cluster.urn,
        );
      }
    }
  },
};

export const networkEksPolicies = [
  eksSupportedVersion,
  eksNoPublicEndpoint,
  eksControlPlaneLogging,
  eksSecretsEncryption,
  eksNodeGroupAzs,
];
