import type { RoleRef } from '../data/identities';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AUTOSCALING_NONE, LABELS, synthesizeWorkloads, WorkloadsProps } from '../../charts';
import { standbyMinimum } from '../capacity';
import { REPLICATION_HEARTBEAT_WORKLOAD, WORKLOADS, WorkloadName } from '../naming';
import { EksCluster } from './cluster';
import { InputTokens } from './inputs';
import { podIdentityAssociation } from './pod-identity';
import { InvalidArgumentError } from '../errors';

/** The chart props, with the data-plane values that are Outputs allowed as Inputs. */
export type WorkloadsInputProps = Omit<WorkloadsProps, 'names' | 'roleArns' | 'scoringEndpoint'> & {
  readonly names: { readonly [K in keyof WorkloadsProps['names']]: pulumi.Input<string> };
  readonly scoringEndpoint: Omit<WorkloadsProps['scoringEndpoint'], 'certificateArn' | 'subnets'> & {
    /** The validated ACM certificate of this region (an Output until the certificate is issued). */
    readonly certificateArn: pulumi.Input<string>;
    /** The NLB's subnet IDs, one per AZ (Outputs of the network's load-balancer subnets). */
    readonly subnets?: readonly pulumi.Input<string>[];
  };
};

export interface WorkloadsArgs {
  readonly cluster: EksCluster;
  readonly provider: k8s.Provider;
  /** The chart props of this region (standby region: standby minimums, with the full minimums recorded). */
  readonly props: WorkloadsInputProps;
  /** Each workload's IAM role (data plane), bound to its ServiceAccount through EKS Pod Identity. */
  readonly roles: Readonly<Record<WorkloadName, RoleRef>>;
  /** The KEDA scaler roles (read-only, assumed by KEDA's operator), named by the TriggerAuthentications. */
  readonly scalerRoles: Readonly<Partial<Record<WorkloadName, RoleRef>>>;
  /** The replication heartbeat writer's role, bound to its ServiceAccount through EKS Pod Identity. */
  readonly heartbeatRole: RoleRef;
  /**
   * More HTTPS destinations of the pods, appended to `props.awsApiCidrs`: the CIDRs of the managed
   * prefix list a gateway endpoint routes to (DynamoDB), known only once the lookup resolves.
   * @default - none
   */
  readonly awsApiPrefixListCidrs?: pulumi.Input<readonly string[]>;
  /** Resources that must exist before the objects are applied (add-ons that serve their CRDs and metrics). */
  readonly dependsOn: readonly pulumi.Resource[];
  readonly tags: Readonly<Record<string, string>>;
}

/** One Deployment and the autoscaler that owns its replica bounds, for the DR runbook. */
export interface DeploymentOutputs {
  readonly name: string;
  readonly autoscaler: {
    readonly kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
    readonly name: string;
    readonly fullMinReplicas: number;
    readonly standbyMinReplicas: number;
    readonly maxReplicas: number;
  };
}

type Manifest = Record<string, unknown> & {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
};

const AUTOSCALER_KINDS = ['HorizontalPodAutoscaler', 'ScaledObject'] as const;

/**
 * Reads the runbook's view of each Deployment from the synthesized objects: the autoscaler that
 * targets it, its minimum here, its full-capacity minimum (annotation) and its maximum. A Deployment
 * labelled `risk-platform/autoscaling: none` (the replication heartbeat: fixed size, not scaled by the
 * runbook) is left out; any other Deployment without an autoscaler is an error.
 */
export function deploymentsOf(
  objs: readonly Record<string, unknown>[],
  standbyFraction: number,
  standbyFloor = 1,
): DeploymentOutputs[] {
  const manifests = objs as readonly Manifest[];
  return manifests
    .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.[LABELS.autoscaling] !== AUTOSCALING_NONE)
    .map((d) => {
      const scaler = manifests.find(
        (o) =>
          (AUTOSCALER_KINDS as readonly string[]).includes(o.kind) &&
          (o.spec?.scaleTargetRef as { name?: string } | undefined)?.name === d.metadata.name,
      );
      if (!scaler)
        throw new InvalidArgumentError(
          `Deployment '${d.metadata.name}' has no HorizontalPodAutoscaler or ScaledObject targeting it`,
        );
      const spec = scaler.spec as Record<string, number>;
      const isHpa = scaler.kind === 'HorizontalPodAutoscaler';
      const min = isHpa ? spec.minReplicas : spec.minReplicaCount;
      const max = isHpa ? spec.maxReplicas : spec.maxReplicaCount;
      const fullMin = Number(scaler.metadata.annotations?.['risk-platform/full-min-replicas'] ?? min);
      const standbyAnnotation = scaler.metadata.annotations?.['risk-platform/standby-min-replicas'];
      // The active region records only the full minimum; its standby minimum is the model's.
      const standbyMin =
        standbyAnnotation !== undefined
          ? Number(standbyAnnotation)
          : standbyMinimum(fullMin, standbyFraction, standbyFloor);
      return {
        name: d.metadata.name,
        autoscaler: {
          kind: scaler.kind as DeploymentOutputs['autoscaler']['kind'],
          name: scaler.metadata.name,
          fullMinReplicas: fullMin,
          standbyMinReplicas: standbyMin,
          maxReplicas: max,
        },
      };
    });
}

/** Kinds KEDA's admission webhook checks against their scale target: applied after the workloads. */
export const AFTER_WORKLOAD_KINDS = ['ScaledObject'] as const;

/**
 * Splits the manifests into what is applied first (namespace, Deployments, Services, policies, RBAC,
 * TriggerAuthentications, ...) and what is applied once those exist ({@link AFTER_WORKLOAD_KINDS}).
 */
export function admissionOrder<T extends { readonly kind?: unknown }>(
  manifests: readonly T[],
): { objects: T[]; afterWorkloads: T[] } {
  const after = (o: T) => (AFTER_WORKLOAD_KINDS as readonly unknown[]).includes(o.kind);
  return { objects: manifests.filter((o) => !after(o)), afterWorkloads: manifests.filter(after) };
}

/**
 * The scoring workloads of one region: the cdk8s charts synthesized in-process and applied through
 * the region's Kubernetes provider with `k8s.yaml.ConfigGroup({ objs })`, so every object is a
 * registered `kubernetes:*` resource (visible in preview and in the offline plan), plus each
 * workload's (and the replication heartbeat writer's) EKS Pod Identity association (in both regions: the DR identity works the moment
 * traffic moves).
 */
export class Workloads extends pulumi.ComponentResource {
  /** The synthesized manifests as plan-time data (placeholders where a value is an Output). */
  readonly manifests: readonly Record<string, unknown>[];
  readonly configGroup: k8s.yaml.ConfigGroup;
  /** The ScaledObjects, applied once {@link configGroup} (and so the Deployments they target) exists. */
  readonly autoscalerGroup: k8s.yaml.ConfigGroup;
  readonly podIdentities: Record<WorkloadName, aws.eks.PodIdentityAssociation>;
  /** The replication heartbeat writer's Pod Identity association in this cluster. */
  readonly heartbeatPodIdentity: aws.eks.PodIdentityAssociation;
  readonly namespace: string;

  constructor(name: string, args: WorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:Workloads', name, {}, opts);
    const { cluster, props } = args;
    const tokens = new InputTokens();
    const names = Object.fromEntries(
      Object.entries(props.names).map(([key, value]) => [key, tokens.token(key, value)]),
    ) as unknown as WorkloadsProps['names'];
    const roleArn = (key: string, role: RoleRef) =>
      tokens.token(key, role.arn, (p) => `arn:aws:iam::000000000000:role/${p}`);
    const scalerRole = (workload: WorkloadName) => {
      const role = args.scalerRoles[workload];
      if (!role)
        throw new InvalidArgumentError(
          `'scalerRoles' has no role for the KEDA-scaled workload '${workload}'`,
        );
      return role;
    };
    const { subnets: subnetIds, ...endpoint } = props.scoringEndpoint;
    const chartProps: WorkloadsProps = {
      ...props,
      names,
      ...(args.awsApiPrefixListCidrs !== undefined
        ? {
            awsApiCidrs: [
              ...(props.awsApiCidrs ?? []),
              ...tokens.list('awsApiPrefixListCidrs', args.awsApiPrefixListCidrs),
            ],
          }
        : {}),
      scoringEndpoint: {
        ...endpoint,
        certificateArn: tokens.token(
          'scoringCertificateArn',
          props.scoringEndpoint.certificateArn,
          (p) => `arn:aws:acm:${cluster.region}:000000000000:certificate/${p}`,
        ),
        ...(subnetIds
          ? { subnets: subnetIds.map((id, i) => tokens.token(`loadBalancerSubnet${i}`, id)) }
          : {}),
      },
      roleArns: {
        streamScorer: roleArn('roleStreamScorer', scalerRole('stream-scorer')),
        feedbackWorker: roleArn('roleFeedbackWorker', scalerRole('feedback-worker')),
      },
    };
    this.manifests = synthesizeWorkloads(chartProps);
    this.namespace = props.namespace;

    this.podIdentities = Object.fromEntries(
      WORKLOADS.map((workload) => [
        workload,
        podIdentityAssociation(
          `${name}-${workload}`,
          {
            cluster,
            namespace: props.namespace,
            serviceAccount: workload,
            role: args.roles[workload],
            tags: args.tags,
          },
          { parent: this },
        ),
      ]),
    ) as Record<WorkloadName, aws.eks.PodIdentityAssociation>;
    this.heartbeatPodIdentity = podIdentityAssociation(
      `${name}-${REPLICATION_HEARTBEAT_WORKLOAD}`,
      {
        cluster,
        namespace: props.namespace,
        serviceAccount: REPLICATION_HEARTBEAT_WORKLOAD,
        role: args.heartbeatRole,
        tags: args.tags,
      },
      { parent: this },
    );

    const { objects, afterWorkloads } = admissionOrder(this.manifests);
    this.configGroup = new k8s.yaml.ConfigGroup(
      `${name}-objects`,
      { objs: objects.map((o) => tokens.resolve(o)), resourcePrefix: cluster.region },
      {
        parent: this,
        provider: args.provider,
        dependsOn: [...args.dependsOn, ...Object.values(this.podIdentities), this.heartbeatPodIdentity],
      },
    );
    // After the Deployments (the provider waits for their rollout): KEDA's admission webhook denies a
    // ScaledObject with a cpu trigger whose Deployment does not exist yet (verifyCPUMemoryScalers,
    // apis/keda/v1alpha1/scaledobject_webhook.go at v2.20.2). The alias keeps the ScaledObjects that
    // an earlier release created under the one group: moved, not deleted and re-created.
    const objectsGroup = this.configGroup;
    this.autoscalerGroup = new k8s.yaml.ConfigGroup(
      `${name}-autoscalers`,
      {
        objs: afterWorkloads.map((o) => tokens.resolve(o)),
        resourcePrefix: cluster.region,
        transformations: [
          (_obj: unknown, opts: pulumi.CustomResourceOptions) => {
            opts.aliases = [...(opts.aliases ?? []), { parent: objectsGroup }];
          },
        ],
      },
      { parent: this, provider: args.provider, dependsOn: [objectsGroup] },
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}
