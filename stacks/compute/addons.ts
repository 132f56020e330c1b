import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { EksCluster } from './cluster';
import { podIdentityTrust, policyDocument } from './iam';
import {
  CLUSTER_AUTOSCALER_IMAGE_TAG,
  HELM_CHARTS,
  MANAGED_ADDON_VERSIONS,
  ManagedAddonName,
  PinnedChart,
} from './versions';

/** Where each Helm add-on runs, and the ServiceAccount its Pod Identity association binds. */
export const ADDON_NAMESPACES = {
  metricsServer: 'kube-system',
  keda: 'keda',
  clusterAutoscaler: 'kube-system',
  datadog: 'datadog',
} as const;
export const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/**
 * The KEDA operator's role name in a cluster. The KEDA-scaled workloads' roles must trust it
 * (`sts:AssumeRole` + `sts:TagSession`) for their TriggerAuthentications to work (charts/keda.ts).
 */
import { kedaOperatorRoleName } from '../naming';

export { kedaOperatorRoleName };

export interface ClusterAddonsArgs {
  /** The cluster the add-ons go into. */
  readonly cluster: EksCluster;
  /** The Kubernetes provider of that cluster. */
  readonly provider: k8s.Provider;
  /** The environment name, for the Datadog `env` tag. */
  readonly environment: string;
  /** Datadog agent settings. */
  readonly datadog: {
    /** The Datadog API key; must be a Pulumi secret (`pulumi.secret(...)`). */
    readonly apiKey: pulumi.Output<string>;
    /** The Datadog application key (the cluster agent's external metrics provider reads queries with it); a secret. */
    readonly appKey: pulumi.Output<string>;
    /** The Datadog site, e.g. `datadoghq.com`. */
    readonly site: string;
  };
  /**
   * The roles KEDA's operator may assume to read its scalers' metrics (the KEDA-scaled workloads'
   * own roles: see charts/keda.ts). Each must trust the role exposed as {@link ClusterAddons.kedaOperatorRole}.
   */
  readonly kedaScaledRoles: readonly aws.iam.Role[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The add-ons of one cluster, all pinned (see ./versions.ts):
 * - EKS managed add-ons: vpc-cni, coredns, kube-proxy, eks-pod-identity-agent;
 * - Helm releases: metrics-server (HPA CPU), KEDA (ScaledObjects), Cluster Autoscaler (node groups),
 *   the Datadog agent with its cluster agent as external metrics provider (the scoring API's HPA
 *   reads its request rate through a DatadogMetric).
 *
 * Cluster Autoscaler, not Karpenter: the node groups are EKS managed node groups sized from the
 * capacity model, and the autoscaler scales exactly those (auto-discovered by their
 * `k8s.io/cluster-autoscaler/<cluster>` tags) within the bounds the plan shows. Karpenter would
 * launch instances outside them, and needs its own CRDs, interruption queue and node role wiring.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  readonly managed: Record<ManagedAddonName, aws.eks.Addon>;
  readonly releases: {
    readonly metricsServer: k8s.helm.v3.Release;
    readonly keda: k8s.helm.v3.Release;
    readonly clusterAutoscaler: k8s.helm.v3.Release;
    readonly datadog: k8s.helm.v3.Release;
  };
  readonly kedaOperatorRole: aws.iam.Role;
  readonly clusterAutoscalerRole: aws.iam.Role;
  /** Everything the workloads need before they are applied (CRDs, metrics, identity agent). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:Addons', name, {}, opts);
    const { cluster, provider } = args;
    const { region, clusterName } = cluster;
    const parent = { parent: this };
    const tags = { ...args.tags };

    const addon = (addonName: ManagedAddonName, dependsOn: pulumi.Resource[]) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          region,
          clusterName: cluster.cluster.name,
          addonName,
          addonVersion: MANAGED_ADDON_VERSIONS[addonName],
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'PRESERVE',
          tags,
        },
        { parent: this, dependsOn },
      );
    // DaemonSets first; CoreDNS is a Deployment and needs nodes to become ACTIVE.
    const vpcCni = addon('vpc-cni', []);
    const kubeProxy = addon('kube-proxy', []);
    const podIdentityAgent = addon('eks-pod-identity-agent', []);
    const coredns = addon('coredns', cluster.nodeGroups);
    this.managed = {
      'vpc-cni': vpcCni,
      coredns,
      'kube-proxy': kubeProxy,
      'eks-pod-identity-agent': podIdentityAgent,
    };
    const base = [...cluster.ready, vpcCni, kubeProxy, coredns, podIdentityAgent];

    const podIdentity = (id: string, role: aws.iam.Role, namespace: string, serviceAccount: string) =>
      new aws.eks.PodIdentityAssociation(
        `${name}-${id}`,
        { region, clusterName: cluster.cluster.name, namespace, serviceAccount, roleArn: role.arn, tags },
        parent,
      );

    // Cluster Autoscaler: mutating calls only on this cluster's groups (tag condition), reads on "*"
    // (the Describe* APIs take no resource).
    this.clusterAutoscalerRole = new aws.iam.Role(
      `${name}-cluster-autoscaler-role`,
      {
        name: `${clusterName}-cluster-autoscaler`,
        assumeRolePolicy: podIdentityTrust(
          cluster.arn,
          ADDON_NAMESPACES.clusterAutoscaler,
          CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        ),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-cluster-autoscaler`,
      {
        role: this.clusterAutoscalerRole.name,
        policy: policyDocument([
          {
            Sid: 'ScaleOwnNodeGroups',
            Effect: 'Allow',
            Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
            Resource: '*',
            Condition: {
              StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' },
            },
          },
          {
            Sid: 'DescribeScalingInputs',
            Effect: 'Allow',
            Action: [
              'autoscaling:DescribeAutoScalingGroups',
              'autoscaling:DescribeAutoScalingInstances',
              'autoscaling:DescribeLaunchConfigurations',
              'autoscaling:DescribeScalingActivities',
              'autoscaling:DescribeTags',
              'ec2:DescribeImages',
              'ec2:DescribeInstanceTypes',
              'ec2:DescribeLaunchTemplateVersions',
              'ec2:GetInstanceTypesFromInstanceRequirements',
            ],
            Resource: '*',
          },
          {
            Sid: 'DescribeOwnNodeGroups',
            Effect: 'Allow',
            Action: ['eks:DescribeNodegroup'],
            Resource: cluster.nodeGroups.map((g) => g.arn),
          },
        ]),
      },
      parent,
    );
    const caIdentity = podIdentity(
      'cluster-autoscaler',
      this.clusterAutoscalerRole,
      ADDON_NAMESPACES.clusterAutoscaler,
      CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    );

    // KEDA's operator holds no data permissions: it may only assume the scaled workloads' roles.
    this.kedaOperatorRole = new aws.iam.Role(
      `${name}-keda-operator-role`,
      {
        name: kedaOperatorRoleName(clusterName),
        assumeRolePolicy: podIdentityTrust(cluster.arn, ADDON_NAMESPACES.keda, KEDA_OPERATOR_SERVICE_ACCOUNT),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-keda-operator`,
      {
        role: this.kedaOperatorRole.name,
        policy: policyDocument([
          {
            Sid: 'AssumeScaledWorkloadRoles',
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: args.kedaScaledRoles.map((r) => r.arn),
          },
        ]),
      },
      parent,
    );
    const kedaIdentity = podIdentity(
      'keda-operator',
      this.kedaOperatorRole,
      ADDON_NAMESPACES.keda,
      KEDA_OPERATOR_SERVICE_ACCOUNT,
    );

    const release = (
      id: string,
      pinned: PinnedChart,
      namespace: string,
      values: pulumi.Inputs,
      dependsOn: pulumi.Resource[],
    ) =>
      new k8s.helm.v3.Release(
        `${name}-${id}`,
        {
          name: id,
          chart: pinned.chart,
          version: pinned.version,
          repositoryOpts: { repo: pinned.repo },
          namespace,
          createNamespace: namespace !== 'kube-system',
          atomic: true,
          cleanupOnFail: true,
          timeout: 600,
          values,
        },
        { parent: this, provider, dependsOn },
      );

    const metricsServer = release(
      'metrics-server',
      HELM_CHARTS.metricsServer,
      ADDON_NAMESPACES.metricsServer,
      { replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
      base,
    );
    const keda = release(
      'keda',
      HELM_CHARTS.keda,
      ADDON_NAMESPACES.keda,
      {
        serviceAccount: { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } },
        operator: { replicaCount: 2 },
        podDisruptionBudget: { operator: { minAvailable: 1 } },
      },
      [...base, kedaIdentity],
    );
    const clusterAutoscaler = release(
      'cluster-autoscaler',
      HELM_CHARTS.clusterAutoscaler,
      ADDON_NAMESPACES.clusterAutoscaler,
      {
        cloudProvider: 'aws',
        awsRegion: region,
        autoDiscovery: { clusterName },
        fullnameOverride: 'cluster-autoscaler',
        image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAG },
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
        // One node group per zone: keep them level so topology spread always finds room.
        extraArgs: {
          'balance-similar-node-groups': true,
          expander: 'least-waste',
          'skip-nodes-with-system-pods': false,
        },
      },
      [...base, caIdentity],
    );
    const datadog = release(
      'datadog',
      HELM_CHARTS.datadog,
      ADDON_NAMESPACES.datadog,
      {
        datadog: {
          apiKey: args.datadog.apiKey,
          appKey: args.datadog.appKey,
          site: args.datadog.site,
          clusterName,
          tags: [`env:${args.environment}`, `region:${region}`],
          apm: { portEnabled: true },
          dogstatsd: { useHostPort: true },
          logs: { enabled: true, containerCollectAll: false },
        },
        // The scoring API's HPA reads `datadogmetric@<ns>:<name>` through the external metrics API.
        clusterAgent: {
          enabled: true,
          replicas: 2,
          createPodDisruptionBudget: true,
          metricsProvider: { enabled: true, useDatadogMetrics: true },
        },
      },
      base,
    );
    this.releases = { metricsServer, keda, clusterAutoscaler, datadog };
    this.ready = [podIdentityAgent, metricsServer, keda, datadog];
    this.registerOutputs({});
  }
}
