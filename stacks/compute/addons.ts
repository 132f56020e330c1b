import type { RoleRef } from '../data/identities';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  DATADOG_CLUSTER_AGENT_METRICS_PORT,
  DATADOG_CLUSTER_AGENT_METRICS_SERVICE,
  DATADOG_NAMESPACE,
  KEDA_NAMESPACE,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
} from '../../charts';
import { managedPolicy, policyDocument } from '../data/policy-documents';
import { EksCluster } from './cluster';
import { externalDnsStatements, loadBalancerControllerStatements } from './ingress-iam';
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerValues, kedaValues } from './addon-values';
import { clusterPodIdentityTrust, podIdentityRole } from './pod-identity';
import { ClusterAgentMetricsTls } from './metrics-tls';
import { clusterAgentTlsValues } from './metrics-tls-values';

/** The VPC CNI's ServiceAccount (the vpc-cni add-on's `aws-node`), bound to its Pod Identity role. */
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'aws-node' } as const;

export { clusterAutoscalerValues, kedaValues };
import { HELM_CHARTS, MANAGED_ADDON_VERSIONS, ManagedAddonName, PinnedChart } from './versions';

/** Where each Helm add-on runs, and the ServiceAccount its Pod Identity association binds. */
export const ADDON_NAMESPACES = {
  metricsServer: 'kube-system',
  keda: KEDA_NAMESPACE,
  clusterAutoscaler: 'kube-system',
  datadog: DATADOG_NAMESPACE,
  awsLoadBalancerController: 'kube-system',
  externalDns: 'external-dns',
} as const;
/**
 * KEDA's operator ServiceAccount: its Pod Identity association binds it, and the scoring API's
 * metrics reader lets it request that reader's tokens (charts/cluster-agent-metrics-reader.ts).
 */
export { KEDA_OPERATOR_SERVICE_ACCOUNT };
export { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } from './addon-values';
export const AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = 'aws-load-balancer-controller';
export const EXTERNAL_DNS_SERVICE_ACCOUNT = 'external-dns';

/**
 * The KEDA operator's role name in a cluster. The KEDA-scaled workloads' roles must trust it
 * (`sts:AssumeRole` + `sts:TagSession`) for their TriggerAuthentications to work (charts/keda.ts).
 */
import { kedaOperatorRoleName } from '../naming';

export { kedaOperatorRoleName };

/**
 * `configurationValues` of the EKS managed add-ons (JSON, checked by EKS against the add-on's schema:
 * `aws eks describe-addon-configuration --addon-name <name> --addon-version <version>`).
 *
 * vpc-cni: `enableNetworkPolicy: "true"` starts the VPC CNI's network policy agent, without which the
 * workloads' NetworkPolicies (charts/network-policies.ts) are accepted by the API server but enforced
 * by nothing.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 */
export const MANAGED_ADDON_CONFIGURATION: Partial<
  Record<ManagedAddonName, Readonly<Record<string, unknown>>>
> = {
  'vpc-cni': { enableNetworkPolicy: 'true' },
};

/**
 * The Datadog cluster agent's Helm values: one external metrics provider per cluster, and it is KEDA.
 *
 * Both KEDA and the cluster agent's metrics provider register the APIService
 * `v1beta1.external.metrics.k8s.io`; only one can own it (kedacore/charts#124, kedacore/keda#4415).
 * The cluster agent keeps its metrics provider (it resolves `DatadogMetric` queries in batches and
 * serves them on its metrics service) but does not register the APIService; KEDA's `datadog` scaler
 * reads the values from that service (`useClusterAgentProxy`, see charts/scoring-api.ts). DatadogMetric
 * autogeneration is off: the scalers only use the DatadogMetric objects the charts declare.
 *
 * The metrics server serves the certificate of {@link ClusterAgentMetricsTls} (values from
 * `clusterAgentTlsValues`, ./metrics-tls-values.ts), whose checksum rolls the pods on rotation.
 * @see https://keda.sh/docs/2.20/scalers/datadog/
 */
export function datadogClusterAgentValues(servingCertChecksum: string): Record<string, unknown> {
  const tlsValues = clusterAgentTlsValues(servingCertChecksum);
  return {
    ...tlsValues,
    enabled: true,
    replicas: 2,
    // `createPodDisruptionBudget` is deprecated for `pdb.create` (datadog chart 3.146.1 values.yaml).
    pdb: { create: true, minAvailable: 1 },
    metricsProvider: {
      enabled: true,
      registerAPIService: false,
      useDatadogMetrics: true,
      service: { port: DATADOG_CLUSTER_AGENT_METRICS_PORT },
    },
    env: [{ name: 'DD_EXTERNAL_METRICS_PROVIDER_ENABLE_DATADOGMETRIC_AUTOGEN', value: 'false' }],
  };
}

/** The cluster agent's metrics service the chart creates for the release named `datadog`. */
export const DATADOG_CLUSTER_AGENT_SERVICE = {
  namespace: DATADOG_NAMESPACE,
  name: DATADOG_CLUSTER_AGENT_METRICS_SERVICE,
  port: DATADOG_CLUSTER_AGENT_METRICS_PORT,
} as const;

export interface ClusterAddonsArgs {
  /** The cluster the add-ons go into. */
  readonly cluster: EksCluster;
  /** The Kubernetes provider of that cluster. */
  readonly provider: k8s.Provider;
  /**
   * A provider of the same cluster with `upsertExistingObjects` (./kubeconfig.ts), for the datadog
   * and keda namespaces only: Helm's `createNamespace` made them on clusters deployed before they were
   * declared, and the metrics TLS Secret and CA ConfigMap must exist in them before the charts start.
   */
  readonly namespaceProvider: k8s.Provider;
  /** The environment name, for the Datadog `env` tag. */
  readonly environment: string;
  /** Datadog agent settings. */
  readonly datadog: {
    /** The Datadog API key; must be a Pulumi secret (`pulumi.secret(...)`). */
    readonly apiKey: pulumi.Output<string>;
    /** The Datadog application key (the cluster agent reads the DatadogMetric queries with it); a secret. */
    readonly appKey: pulumi.Output<string>;
    /** The Datadog site, e.g. `datadoghq.com`. */
    readonly site: string;
  };
  /**
   * The roles KEDA's operator may assume to read its scalers' metrics: the read-only scaler roles
   * (stacks/data/identities `scalerRoles`), never a workload's own role. Each must trust the role
   * exposed as {@link ClusterAddons.kedaOperatorRole}.
   */
  readonly kedaScaledRoles: readonly RoleRef[];
  /** What the ingress add-ons (AWS Load Balancer Controller, external-dns) act on. */
  readonly ingress: ClusterIngressArgs;
  readonly tags: Readonly<Record<string, string>>;
}

/** The cluster's VPC and the hosted zone its scoring endpoint is published in. */
export interface ClusterIngressArgs {
  /** The cluster's VPC: the load balancer controller creates NLBs and security groups in it only. */
  readonly vpc: { readonly id: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The hosted zone (the traffic switch's lookup): external-dns writes only there. */
  readonly zone: {
    readonly id: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    readonly name: string;
  };
  /** The names this cluster publishes, e.g. `score-us-west-2.risk.example.com`. */
  readonly recordNames: readonly string[];
}

/**
 * The add-ons of one cluster, all pinned (see ./versions.ts):
 * - EKS managed add-ons: vpc-cni (with Kubernetes NetworkPolicy enforcement on), coredns,
 *   kube-proxy, eks-pod-identity-agent;
 * - Helm releases: metrics-server (CPU), KEDA (every workload's ScaledObject, and the cluster's only
 *   external metrics provider), Cluster Autoscaler (the per-zone node groups), the Datadog agent with
 *   its cluster agent serving DatadogMetric values to KEDA's `datadog` scaler (its own external
 *   metrics APIService is not registered: see {@link datadogClusterAgentValues}), the AWS Load
 *   Balancer Controller (the scoring API's NLB) and external-dns (its regional name in the hosted
 *   zone), each with its own Pod Identity role.
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
    readonly awsLoadBalancerController: k8s.helm.v3.Release;
    readonly externalDns: k8s.helm.v3.Release;
  };
  readonly kedaOperatorRole: aws.iam.Role;
  /** The cluster agent's metrics-server certificate and the CA KEDA trusts. */
  readonly metricsTls: ClusterAgentMetricsTls;
  readonly clusterAutoscalerRole: aws.iam.Role;
  readonly awsLoadBalancerControllerRole: aws.iam.Role;
  readonly externalDnsRole: aws.iam.Role;
  /** Everything the workloads need before they are applied (CRDs, metrics, identity agent). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:Addons', name, {}, opts);
    const { cluster, provider } = args;
    const { region, clusterName } = cluster;
    const tags = { ...args.tags };

    const addon = (
      addonName: ManagedAddonName,
      dependsOn: pulumi.Resource[],
      extra: Partial<aws.eks.AddonArgs> = {},
    ) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          region,
          clusterName: cluster.cluster.name,
          addonName,
          addonVersion: MANAGED_ADDON_VERSIONS[addonName],
          ...(MANAGED_ADDON_CONFIGURATION[addonName]
            ? { configurationValues: JSON.stringify(MANAGED_ADDON_CONFIGURATION[addonName]) }
            : {}),
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'PRESERVE',
          tags,
          ...extra,
        },
        { parent: this, dependsOn },
      );
    // aws-node's ENI permissions through its own Pod Identity role, not the node role (which any pod
    // that reached IMDS could use). The add-on owns the association, so EKS restarts aws-node with the
    // credentials; the agent add-on comes first (a hostNetwork DaemonSet, it needs no CNI).
    // @see https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
    const cniRole = new aws.iam.Role(
      `${name}-vpc-cni-role`,
      {
        name: `${clusterName}-vpc-cni`,
        assumeRolePolicy: clusterPodIdentityTrust(
          cluster.arn,
          VPC_CNI_SERVICE_ACCOUNT.namespace,
          VPC_CNI_SERVICE_ACCOUNT.name,
        ),
        tags,
      },
      { parent: this },
    );
    const cniPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-vpc-cni-policy`,
      { role: cniRole.name, policyArn: managedPolicy('AmazonEKS_CNI_Policy') },
      { parent: this },
    );
    // DaemonSets first; CoreDNS is a Deployment and needs nodes to become ACTIVE.
    const podIdentityAgent = addon('eks-pod-identity-agent', []);
    const vpcCni = addon('vpc-cni', [podIdentityAgent, cniPolicy], {
      podIdentityAssociations: [{ roleArn: cniRole.arn, serviceAccount: VPC_CNI_SERVICE_ACCOUNT.name }],
    });
    const kubeProxy = addon('kube-proxy', []);
    const coredns = addon('coredns', cluster.nodeGroups);
    this.managed = {
      'vpc-cni': vpcCni,
      coredns,
      'kube-proxy': kubeProxy,
      'eks-pod-identity-agent': podIdentityAgent,
    };
    const base = [...cluster.ready, vpcCni, kubeProxy, coredns, podIdentityAgent];

    const identity = (
      id: string,
      roleName: string,
      namespace: string,
      serviceAccount: string,
      policy: Parameters<typeof podIdentityRole>[3]['policy'],
    ) => podIdentityRole(this, name, id, { cluster, namespace, serviceAccount, roleName, policy, tags });

    // Cluster Autoscaler: mutating calls only on this cluster's groups (tag condition), reads on "*"
    // (the Describe* APIs take no resource).
    const ca = identity(
      'cluster-autoscaler',
      `${clusterName}-cluster-autoscaler`,
      ADDON_NAMESPACES.clusterAutoscaler,
      CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
      [
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
      ],
    );
    this.clusterAutoscalerRole = ca.role;

    // KEDA's operator holds no data permissions: it may only assume the read-only scaler roles.
    const kedaOperator = identity(
      'keda-operator',
      kedaOperatorRoleName(clusterName),
      ADDON_NAMESPACES.keda,
      KEDA_OPERATOR_SERVICE_ACCOUNT,
      [
        {
          Sid: 'AssumeScalerRoles',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: args.kedaScaledRoles.map((r) => r.arn),
        },
      ],
    );
    this.kedaOperatorRole = kedaOperator.role;

    const release = (
      id: string,
      pinned: PinnedChart,
      namespace: string,
      values: pulumi.Input<Record<string, unknown>>,
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
    // The namespaces the metrics TLS objects need before the charts that mount them. Adopted where
    // Helm created them (upsert provider); kept on delete, since the releases' objects live in them.
    // The releases keep `createNamespace`: Helm ignores a namespace that exists (helm
    // pkg/action/install.go, AlreadyExists).
    const namespace = (id: string, ns: string) =>
      new k8s.core.v1.Namespace(
        `${name}-${id}-namespace`,
        { metadata: { name: ns } },
        { parent: this, provider: args.namespaceProvider, dependsOn: base, retainOnDelete: true },
      );
    const namespaces = [
      namespace('datadog', ADDON_NAMESPACES.datadog),
      namespace('keda', ADDON_NAMESPACES.keda),
    ];
    this.metricsTls = new ClusterAgentMetricsTls(
      `${name}-metrics-tls`,
      {
        clusterName,
        service: DATADOG_CLUSTER_AGENT_SERVICE,
        kedaNamespace: ADDON_NAMESPACES.keda,
        provider,
        dependsOn: namespaces,
      },
      { parent: this },
    );
    const keda = release(
      'keda',
      HELM_CHARTS.keda,
      ADDON_NAMESPACES.keda,
      this.metricsTls.caChecksum.apply(kedaValues),
      [...base, kedaOperator.association, this.metricsTls.caConfigMap],
    );
    const clusterAutoscaler = release(
      'cluster-autoscaler',
      HELM_CHARTS.clusterAutoscaler,
      ADDON_NAMESPACES.clusterAutoscaler,
      clusterAutoscalerValues(region, clusterName),
      [...base, ca.association],
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
        clusterAgent: this.metricsTls.servingChecksum.apply(datadogClusterAgentValues),
      },
      [...base, this.metricsTls.servingSecret],
    );

    // AWS Load Balancer Controller: NLBs for Services annotated `aws-load-balancer-type: external`.
    const lbc = identity(
      'aws-load-balancer-controller',
      `${clusterName}-aws-load-balancer-controller`,
      ADDON_NAMESPACES.awsLoadBalancerController,
      AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      pulumi
        .output(args.ingress.vpc.arn)
        .apply((vpcArn) => policyDocument(loadBalancerControllerStatements({ clusterName, region, vpcArn }))),
    );
    this.awsLoadBalancerControllerRole = lbc.role;
    const awsLoadBalancerController = release(
      'aws-load-balancer-controller',
      HELM_CHARTS.awsLoadBalancerController,
      ADDON_NAMESPACES.awsLoadBalancerController,
      {
        clusterName,
        region,
        vpcId: args.ingress.vpc.id,
        replicaCount: 2,
        serviceAccount: { create: true, name: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
        // NLBs for annotated Services only: no ALB extras (their permissions are not granted), and
        // no webhook turning every other LoadBalancer Service into an NLB.
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
        enableServiceMutatorWebhook: false,
        podDisruptionBudget: { maxUnavailable: 1 },
      },
      [...base, lbc.association],
    );

    // external-dns: publishes the Services' hostname annotations in the zone; never deletes.
    const externalDnsIdentity = identity(
      'external-dns',
      `${clusterName}-external-dns`,
      ADDON_NAMESPACES.externalDns,
      EXTERNAL_DNS_SERVICE_ACCOUNT,
      pulumi
        .output(args.ingress.zone.arn)
        .apply((zoneArn) =>
          policyDocument(externalDnsStatements({ zoneArn, recordNames: args.ingress.recordNames })),
        ),
    );
    this.externalDnsRole = externalDnsIdentity.role;
    const externalDns = release(
      'external-dns',
      HELM_CHARTS.externalDns,
      ADDON_NAMESPACES.externalDns,
      {
        provider: { name: 'aws' },
        env: [{ name: 'AWS_DEFAULT_REGION', value: region }],
        serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT },
        sources: ['service'],
        domainFilters: [args.ingress.zone.name],
        extraArgs: [pulumi.interpolate`--zone-id-filter=${args.ingress.zone.id}`, '--aws-zone-type=public'],
        policy: 'upsert-only',
        registry: 'txt',
        txtOwnerId: clusterName,
      },
      [...base, externalDnsIdentity.association],
    );

    this.releases = {
      metricsServer,
      keda,
      clusterAutoscaler,
      datadog,
      awsLoadBalancerController,
      externalDns,
    };
    this.ready = [podIdentityAgent, metricsServer, keda, datadog, awsLoadBalancerController, externalDns];
    this.registerOutputs({});
  }
}
