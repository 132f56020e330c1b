import { PrescaleWindow, prescaleReplicas } from '../prescale';
import type { PrescaledWorkload, PrescaleWindowProps } from '../../charts/props';
import type { RoleRef } from '../data/identities';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { FEEDBACK_WORKER_RESOURCES, SCORING_API_RESOURCES, STREAM_SCORER_RESOURCES } from '../../charts';
import {
  CapacityPlan,
  nodeGroupSize,
  perZoneScaling,
  regionBounds,
  REPLICA_FLOOR,
  WorkloadPods,
} from '../capacity';
import { EnvironmentConfig, RegionSite } from '../config/load';
import { clusterName as clusterNameOf, WorkloadName } from '../naming';
import { planSubnets } from '../network/cidr';
import { ClusterAddons, ClusterIngressArgs } from './addons';
import { EksCluster } from './cluster';
import { regionalImages } from './images';
import { kubeProvider } from './kubeconfig';
import { DeploymentOutputs, deploymentsOf, Workloads, WorkloadsInputProps } from './workloads';
import { SCORING_API_LOAD_BALANCER_DEFAULTS } from '../../charts/scoring-api';
import { sourceRangesAdmittingCanary } from '../observability/canary-cidr';

/**
 * System pods that are not DaemonSets (CoreDNS x2, KEDA operator x2 + metrics server + webhooks,
 * metrics-server x2, cluster autoscaler, Datadog cluster agent x2), as one conservative pod kind for
 * node sizing. DaemonSets are covered by the model's reserved fraction of each node.
 */
export const SYSTEM_PODS: WorkloadPods = { cpuMillis: 250, memoryMiB: 512, minReplicas: 11, maxReplicas: 11 };

/** The AWS-managed prefix list of a region's DynamoDB endpoints (what its gateway endpoint routes to). */
export const dynamodbPrefixListName = (region: string) => `com.amazonaws.${region}.dynamodb`;

/** What compute needs from the region's data plane. */
export interface ComputeDataPlane {
  /** The platform CMK of this region (primary key or its replica): envelope-encrypts Kubernetes Secrets. */
  readonly keyArn: pulumi.Input<string>;
  /** Names, ARNs and URLs the workloads' ConfigMaps and scalers publish. */
  readonly names: WorkloadsInputProps['names'];
  /** Each workload's IAM role (trusting `pods.eks.amazonaws.com`; the KEDA-scaled ones also the KEDA operator role). */
  readonly roles: Readonly<Record<WorkloadName, RoleRef>>;
  /**
   * The read-only scaler role of each KEDA-scaled workload (trusting the KEDA operator roles only):
   * what its TriggerAuthentication names and the only roles KEDA's operator may assume.
   */
  readonly scalerRoles: Readonly<Partial<Record<WorkloadName, RoleRef>>>;
  /** The replication heartbeat writer's IAM role (trusting `pods.eks.amazonaws.com` in both clusters). */
  readonly heartbeatRole: RoleRef;
}

export interface ComputeArgs {
  /** The region and its role (primary or DR). */
  readonly site: RegionSite;
  /**
   * The region serving traffic (config `dr.activeRegion`): full autoscaler minimums when it is this
   * region, warm-standby minimums otherwise (with the full ones recorded for the runbook).
   */
  readonly activeRegion: string;
  /** The replication heartbeat writer's interval (from the RPO) and the other region it observes. */
  readonly replicationHeartbeat: WorkloadsInputProps['replicationHeartbeat'];
  readonly environment: string;
  readonly cluster: EnvironmentConfig['cluster'];
  readonly workloads: EnvironmentConfig['workloads'];
  readonly observability: EnvironmentConfig['observability'];
  /** The scoring API's p99 latency SLO, published to the workloads. */
  readonly p99LatencyMs: number;
  readonly standbyFraction: number;
  /**
   * Announced launch windows (stacks/prescale.ts): the active region's ScaledObjects get a `cron`
   * floor at each workload's peak need. @default - none
   */
  readonly prescale?: readonly PrescaleWindow[];
  /** The environment's capacity plan (replica bounds, shard count, HPA target). */
  readonly capacity: CapacityPlan;
  /** Datadog keys as Pulumi secrets. */
  readonly datadog: { readonly apiKey: pulumi.Output<string>; readonly appKey: pulumi.Output<string> };
  /** The region's private subnets, one per AZ. */
  readonly privateSubnets: readonly aws.ec2.Subnet[];
  /**
   * The region's load-balancer subnets, one per AZ: the scoring API's internal NLB goes there
   * (`aws-load-balancer-subnets`), and its pods admit only their CIDRs.
   */
  readonly loadBalancerSubnets: readonly aws.ec2.Subnet[];
  /** The VPC CIDR: the subnet CIDRs (load-balancer subnets for the NLB, endpoint subnets for the AWS APIs) derive from it. */
  readonly vpcCidr: string;
  /** The region's VPC (the load balancer controller works in it). */
  readonly vpc: ClusterIngressArgs['vpc'];
  /** How the scoring API is published in this region. */
  readonly scoringEndpoint: {
    /** The regional name (`regionalEndpointName()`), published by external-dns. */
    readonly hostname: string;
    /** This region's validated ACM certificate for the NLB's TLS listener. */
    readonly certificateArn: pulumi.Input<string>;
    /** The hosted zone the name lives in. */
    readonly zone: ClusterIngressArgs['zone'];
  };
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
 * scoring workloads. The same code serves primary and DR; only the bounds differ (full minimums in
 * the active region, standby minimums in the other).
 */
/**
 * A node group whose maximum equals its minimum gives Cluster Autoscaler nothing to do (dev and
 * staging, where every workload's maximum fits on the minimum nodes): the scale-up path prod relies on
 * in a failover would never run before prod. Every group may grow by at least one node; the maximum is
 * a ceiling, so it costs nothing until the autoscaler uses it.
 */
export function withScaleRoom<T extends { minSize: number; desiredSize: number; maxSize: number }>(s: T): T {
  return { ...s, maxSize: Math.max(s.maxSize, s.minSize + 1) };
}

/** The chart's launch windows: per window, each workload's peak need where it is above its minimum. */
export function chartPrescale(
  windows: readonly PrescaleWindow[],
  capacity: Pick<CapacityPlan, 'workloads'>,
): PrescaleWindowProps[] {
  return windows.map((w) => {
    const replicas: Partial<Record<PrescaledWorkload, number>> = {};
    const keys = {
      scoringApi: 'scoring-api',
      streamScorer: 'stream-scorer',
      feedbackWorker: 'feedback-worker',
    } as const;
    for (const [key, workload] of Object.entries(keys) as [
      PrescaledWorkload,
      keyof typeof capacity.workloads,
    ][]) {
      const n = prescaleReplicas(capacity.workloads[workload], w.level);
      if (n !== undefined) replicas[key] = n;
    }
    return { name: w.name, timezone: w.timezone, start: w.kedaStart, end: w.kedaEnd, replicas };
  });
}

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

    const active = region === args.activeRegion;
    const bounds = {
      scoringApi: regionBounds(capacity.workloads['scoring-api'], active),
      streamScorer: regionBounds(capacity.workloads['stream-scorer'], active),
      feedbackWorker: regionBounds(capacity.workloads['feedback-worker'], active),
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
    const zones = site.availabilityZoneIds.length;
    const subnetPlan = planSubnets(args.vpcCidr, site.availabilityZoneIds);
    const regionNodes = nodeGroupSize(
      [
        pods(SCORING_API_RESOURCES, bounds.scoringApi),
        pods(STREAM_SCORER_RESOURCES, bounds.streamScorer),
        pods(FEEDBACK_WORKER_RESOURCES, bounds.feedbackWorker),
        SYSTEM_PODS,
      ],
      { vcpu: args.cluster.nodeVcpu, memoryGiB: args.cluster.nodeMemoryGiB },
      { zones },
    );
    // One group per zone: each holds its share of the region's nodes, at least one node, and room for
    // Cluster Autoscaler to add one (see withScaleRoom).
    const nodeScaling = withScaleRoom(perZoneScaling(regionNodes, zones));

    this.cluster = new EksCluster(
      region,
      {
        region,
        clusterName,
        kubernetesVersion: args.cluster.kubernetesVersion,
        privateSubnets: args.privateSubnets,
        availabilityZoneIds: site.availabilityZoneIds,
        adminRoleArns: args.cluster.adminRoleArns,
        viewerRoleArns: args.cluster.viewerRoleArns,
        publicAccessCidrs: args.cluster.publicAccessCidrs,
        privateApiAccessCidrs: args.cluster.privateApiAccessCidrs,
        vpcId: args.vpc.id,
        secretsKeyArn: args.dataPlane.keyArn,
        nodeInstanceTypes: args.cluster.nodeInstanceTypes,
        nodeScaling,
        tags: args.tags,
      },
      parent,
    );
    const kubeArgs = {
      clusterName,
      region,
      endpoint: this.cluster.endpoint,
      certificateAuthority: this.cluster.certificateAuthority,
    };
    const provider = kubeProvider(`${region}-k8s`, kubeArgs, parent);
    this.addons = new ClusterAddons(
      region,
      {
        cluster: this.cluster,
        provider,
        namespaceProvider: kubeProvider(
          `${region}-k8s-namespaces`,
          { ...kubeArgs, upsertExistingObjects: true },
          parent,
        ),
        environment: args.environment,
        datadog: { ...args.datadog, site: args.observability.datadogSite },
        kedaScaledRoles: Object.values(args.dataPlane.scalerRoles).filter((r): r is aws.iam.Role => !!r),
        ingress: {
          vpc: args.vpc,
          zone: args.scoringEndpoint.zone,
          recordNames: [args.scoringEndpoint.hostname],
        },
        tags: args.tags,
      },
      parent,
    );
    // DynamoDB is reached through its gateway endpoint: public prefix-list addresses, not the VPC.
    const dynamodbPrefixList = aws.ec2.getManagedPrefixListOutput(
      { name: dynamodbPrefixListName(region), region },
      { parent: this },
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
          active,
          namespace: args.workloads.namespace,
          modelVersion: args.workloads.modelVersion,
          // The private images from this region's own registry (ECR replication fills the DR one).
          images: regionalImages(args.workloads, region),
          names: args.dataPlane.names,
          replicationHeartbeat: args.replicationHeartbeat,
          shardCount: capacity.stream.shardCount,
          bounds,
          // Launch traffic lands in the serving region only; a failover raises the other's minimums.
          prescale: active ? chartPrescale(args.prescale ?? [], capacity) : undefined,
          scoringLatencySloMs: args.p99LatencyMs,
          scoringApiTargetRpsPerPod: capacity.scoringApiTargetRpsPerPod,
          streamScorerTargetRecordsPerSecPerPod: capacity.streamScorerTargetRecordsPerSecPerPod,
          clusterName,
          // The interface endpoints' own subnets (stacks/network), not the VPC CIDR, which also holds
          // the API server's ENIs and every pod.
          awsApiCidrs: subnetPlan.map((z) => z.endpointCidr),
          // The internal NLB lives in its own subnets (the Service names them) and does not preserve
          // client IPs: its addresses there are the only sources the pods see. Not the private
          // subnets: every pod has an address there too (VPC CNI), so they would admit any pod.
          ingressCidrs: subnetPlan.map((z) => z.loadBalancerCidr),
          scoringEndpoint: {
            hostname: args.scoringEndpoint.hostname,
            certificateArn: args.scoringEndpoint.certificateArn,
            subnets: args.loadBalancerSubnets.map((s) => s.id),
            // Issue 13: the NLB's security group admits the canary VPC (peered); the pods' ingress
            // policy needs nothing, since the NLB does not preserve client IPs.
            sourceRanges: sourceRangesAdmittingCanary(
              SCORING_API_LOAD_BALANCER_DEFAULTS.sourceRanges,
              args.observability.canaryNetwork.vpcCidr,
            ),
          },
          kubernetesVersion: args.cluster.kubernetesVersion,
        },
        roles: args.dataPlane.roles,
        scalerRoles: args.dataPlane.scalerRoles,
        heartbeatRole: args.dataPlane.heartbeatRole,
        awsApiPrefixListCidrs: dynamodbPrefixList.entries.apply((entries) => entries.map((e) => e.cidr)),
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
        deployments: deploymentsOf(
          this.workloads.manifests,
          args.standbyFraction,
          REPLICA_FLOOR[args.environment as keyof typeof REPLICA_FLOOR] ?? 1,
        ),
      },
    };
    this.registerOutputs({ clusterName, clusterArn: this.cluster.arn });
  }
}
