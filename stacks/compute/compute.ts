import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { FEEDBACK_WORKER_RESOURCES, SCORING_API_RESOURCES, STREAM_SCORER_RESOURCES } from '../../charts';
import { CapacityPlan, nodeGroupSize, regionBounds, WorkloadPods } from '../capacity';
import { EnvironmentConfig, RegionSite } from '../config/load';
import { clusterName as clusterNameOf, WorkloadName } from '../naming';
import { ClusterAddons } from './addons';
import { EksCluster } from './cluster';
import { kubeProvider } from './kubeconfig';
import { DeploymentOutputs, deploymentsOf, Workloads, WorkloadsInputProps } from './workloads';

/**
 * System pods that are not DaemonSets (CoreDNS x2, KEDA operator x2 + metrics server + webhooks,
 * metrics-server x2, cluster autoscaler, Datadog cluster agent x2), as one conservative pod kind for
 * node sizing. DaemonSets are covered by the model's reserved fraction of each node.
 */
export const SYSTEM_PODS: WorkloadPods = { cpuMillis: 250, memoryMiB: 512, minReplicas: 11, maxReplicas: 11 };

/** What compute needs from the region's data plane. */
export interface ComputeDataPlane {
  /** The platform CMK of this region (primary key or its replica): envelope-encrypts Kubernetes Secrets. */
  readonly keyArn: pulumi.Input<string>;
  /** Names, ARNs and URLs the workloads' ConfigMaps and scalers publish. */
  readonly names: WorkloadsInputProps['names'];
  /** Each workload's IAM role (trusting `pods.eks.amazonaws.com`; the KEDA-scaled ones also the KEDA operator role). */
  readonly roles: Readonly<Record<WorkloadName, aws.iam.Role>>;
}

export interface ComputeArgs {
  /** The region and its role: DR runs the workloads at their warm-standby minimums. */
  readonly site: RegionSite;
  readonly environment: string;
  readonly cluster: EnvironmentConfig['cluster'];
  readonly workloads: EnvironmentConfig['workloads'];
  readonly observability: EnvironmentConfig['observability'];
  /** The scoring API's p99 latency SLO, published to the workloads. */
  readonly p99LatencyMs: number;
  readonly standbyFraction: number;
  /** The environment's capacity plan (replica bounds, shard count, HPA target). */
  readonly capacity: CapacityPlan;
  /** Datadog keys as Pulumi secrets. */
  readonly datadog: { readonly apiKey: pulumi.Output<string>; readonly appKey: pulumi.Output<string> };
  /** The region's private subnets, one per AZ. */
  readonly privateSubnets: readonly aws.ec2.Subnet[];
  /** CIDRs of the VPC (the AWS API interface endpoints and the load balancer live in it). */
  readonly vpcCidr: string;
  readonly dataPlane: ComputeDataPlane;
  readonly tags: Readonly<Record<string, string>>;
}

/** The runbook's view of this region's cluster and workloads (stacks/outputs.ts `cluster`, `workloads`). */
export interface ComputeOutputs {
  readonly cluster: {
    readonly name: string;
    readonly arn: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    readonly kubeContext: string;
  };
  readonly workloads: { readonly namespace: string; readonly deployments: readonly DeploymentOutputs[] };
}

/**
 * The compute plane of one region: the EKS cluster, its Kubernetes provider, its add-ons and the
 * scoring workloads. The same code serves primary and DR; only the bounds differ.
 */
export class RegionalCompute extends pulumi.ComponentResource {
  readonly cluster: EksCluster;
  readonly addons: ClusterAddons;
  readonly workloads: Workloads;
  readonly outputs: ComputeOutputs;

  constructor(name: string, args: ComputeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:Compute', name, {}, opts);
    const { site, capacity } = args;
    const region = site.region;
    const clusterName = clusterNameOf(args.environment, region);
    const parent = { parent: this };

    const bounds = {
      scoringApi: regionBounds(capacity.workloads['scoring-api'], site.role),
      streamScorer: regionBounds(capacity.workloads['stream-scorer'], site.role),
      feedbackWorker: regionBounds(capacity.workloads['feedback-worker'], site.role),
    };
    const pods = (
      r: typeof SCORING_API_RESOURCES,
      b: { minReplicas: number; maxReplicas: number },
    ): WorkloadPods => ({
      cpuMillis: r.cpuRequestMillis,
      memoryMiB: r.memoryRequestMebibytes,
      minReplicas: b.minReplicas,
      maxReplicas: b.maxReplicas,
    });
    const nodeScaling = nodeGroupSize(
      [
        pods(SCORING_API_RESOURCES, bounds.scoringApi),
        pods(STREAM_SCORER_RESOURCES, bounds.streamScorer),
        pods(FEEDBACK_WORKER_RESOURCES, bounds.feedbackWorker),
        SYSTEM_PODS,
      ],
      { vcpu: args.cluster.nodeVcpu, memoryGiB: args.cluster.nodeMemoryGiB },
      { zones: site.availabilityZones.length },
    );

    this.cluster = new EksCluster(
      region,
      {
        region,
        clusterName,
        kubernetesVersion: args.cluster.kubernetesVersion,
        privateSubnets: args.privateSubnets,
        publicAccessCidrs: args.cluster.publicAccessCidrs,
        secretsKeyArn: args.dataPlane.keyArn,
        nodeInstanceTypes: args.cluster.nodeInstanceTypes,
        nodeScaling,
        tags: args.tags,
      },
      parent,
    );
    const provider = kubeProvider(
      `${region}-k8s`,
      {
        clusterName,
        region,
        endpoint: this.cluster.endpoint,
        certificateAuthority: this.cluster.certificateAuthority,
      },
      parent,
    );
    this.addons = new ClusterAddons(
      region,
      {
        cluster: this.cluster,
        provider,
        environment: args.environment,
        datadog: { ...args.datadog, site: args.observability.datadogSite },
        kedaScaledRoles: [args.dataPlane.roles['stream-scorer'], args.dataPlane.roles['feedback-worker']],
        tags: args.tags,
      },
      parent,
    );
    this.workloads = new Workloads(
      region,
      {
        cluster: this.cluster,
        provider,
        props: {
          environment: args.environment,
          region,
          role: site.role,
          namespace: args.workloads.namespace,
          modelVersion: args.workloads.modelVersion,
          images: args.workloads.images,
          names: args.dataPlane.names,
          shardCount: capacity.stream.shardCount,
          bounds,
          scoringLatencySloMs: args.p99LatencyMs,
          scoringApiTargetRpsPerPod: capacity.scoringApiTargetRpsPerPod,
          clusterName,
          awsApiCidrs: [args.vpcCidr],
          ingressCidrs: [args.vpcCidr],
          kubernetesVersion: args.cluster.kubernetesVersion,
        },
        roles: args.dataPlane.roles,
        dependsOn: this.addons.ready,
        tags: args.tags,
      },
      parent,
    );

    this.outputs = {
      cluster: {
        name: clusterName,
        arn: this.cluster.arn,
        endpoint: this.cluster.endpoint,
        certificateAuthority: this.cluster.certificateAuthority,
        kubeContext: clusterName,
      },
      workloads: {
        namespace: this.workloads.namespace,
        deployments: deploymentsOf(this.workloads.manifests, args.standbyFraction),
      },
    };
    this.registerOutputs({ clusterName, clusterArn: this.cluster.arn });
  }
}
