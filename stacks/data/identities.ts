import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  clusterName,
  KEDA_SCALED_WORKLOADS,
  kedaOperatorRoleName,
  REPLICATION_HEARTBEAT_WORKLOAD,
  replicationHeartbeatRoleName,
  WORKLOADS,
  WorkloadName,
} from '../naming';
import {
  eksClusterArn,
  kedaScalerTrustPolicy,
  podIdentityTrustPolicy,
  scalerRoleName,
  workloadRoleName,
} from './policy-documents';
import { InvalidArgumentError } from '../errors';

export interface WorkloadIdentitiesArgs {
  /** The environment name (role names `<env>-risk-<workload>`, cluster names). */
  readonly environment: string;
  /** The deploying account (cluster ARNs, `aws:SourceAccount`). */
  readonly accountId: pulumi.Input<string>;
  /** Every region with a cluster that runs the workloads: primary and DR. */
  readonly clusterRegions: readonly string[];
  /** The Kubernetes namespace of the workloads' service accounts. */
  readonly namespace: string;
  /**
   * The service account of each workload.
   * @default - the workload's name (`scoring-api`, `stream-scorer`, `feedback-worker`)
   */
  readonly serviceAccounts?: Readonly<Partial<Record<WorkloadName, string>>>;
  /**
   * The replication heartbeat writer's service account.
   * @default 'replication-heartbeat'
   */
  readonly heartbeatServiceAccount?: string;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One IAM role per scoring workload, trusted by EKS Pod Identity in the clusters of both regions.
 * IAM is global, so each role is created once and serves both regions. The permissions are attached
 * separately ({@link ./permissions.ts}) once the data plane exists, so the roles can be created first:
 * the keys' and topic's policies name them, and the clusters' Pod Identity associations bind them.
 *
 * Why EKS Pod Identity rather than IRSA:
 * - No per-cluster OIDC provider appears in the trust policy. IRSA trusts each cluster's OIDC issuer,
 *   which exists only once the cluster exists and changes whenever a cluster is rebuilt; Pod Identity
 *   trusts one service principal (`pods.eks.amazonaws.com`) and scopes it with session tags.
 * - The DR cluster's association exists before failover (created with the DR cluster, pointing at the
 *   same role), so the DR workloads' identity works the moment traffic moves: nothing in IAM changes
 *   during a failover, and the runbook never touches IAM (a global control plane).
 * - Roles need no change when a cluster is rebuilt: the trust names deterministic cluster ARNs
 *   (`arn:aws:eks:<region>:<account>:cluster/<env>-risk-<region>`), the namespace and the service account.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
 */
export class WorkloadIdentities extends pulumi.ComponentResource {
  /** The role of each workload; the EKS owner creates one `aws.eks.PodIdentityAssociation` per cluster and workload. */
  readonly roles: Readonly<Record<WorkloadName, aws.iam.Role>>;
  /**
   * The scaler role of each KEDA-scaled workload (`<env>-risk-<workload>-scaler`): trusted by the KEDA
   * operator roles of both clusters only, and allowed only the metric read its scaler makes
   * (`WorkloadPermissions`). KEDA never assumes a workload's own role, which writes decisions.
   */
  readonly scalerRoles: Readonly<Partial<Record<WorkloadName, aws.iam.Role>>>;
  /** The service account each role is bound to (in {@link namespace}). */
  readonly serviceAccounts: Readonly<Record<WorkloadName, string>>;
  readonly namespace: string;
  /**
   * The replication heartbeat writer's role (`<env>-risk-replication-heartbeat`), trusted by Pod
   * Identity in every cluster for {@link heartbeatServiceAccount} only. Its one permission, putting its
   * region's heartbeat item, is attached by `WorkloadPermissions`.
   */
  readonly heartbeatRole: aws.iam.Role;
  readonly heartbeatServiceAccount: string;
  /** The regions whose clusters the roles trust (primary first). */
  readonly clusterRegions: readonly string[];
  /** Each cluster region's EKS cluster ARN (deterministic: `<env>-risk-<region>`), by region. */
  readonly clusterArns: pulumi.Output<Readonly<Record<string, string>>>;

  constructor(name: string, args: WorkloadIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:WorkloadIdentities', name, {}, opts);
    if (args.clusterRegions.length === 0)
      throw new InvalidArgumentError(`'clusterRegions' ([]) must name at least one region`);
    this.namespace = args.namespace;
    const serviceAccounts = {} as Record<WorkloadName, string>;
    const roles = {} as Record<WorkloadName, aws.iam.Role>;
    for (const workload of WORKLOADS) {
      const serviceAccount = args.serviceAccounts?.[workload] ?? workload;
      serviceAccounts[workload] = serviceAccount;
      roles[workload] = new aws.iam.Role(
        `${name}-${workload}`,
        {
          name: workloadRoleName(args.environment, workload),
          description: `${workload} (${args.environment}) via EKS Pod Identity in ${args.clusterRegions.join(', ')}`,
          assumeRolePolicy: pulumi.output(args.accountId).apply((accountId) =>
            JSON.stringify(
              podIdentityTrustPolicy({
                accountId,
                clusterArns: args.clusterRegions.map((r) =>
                  eksClusterArn(r, accountId, clusterName(args.environment, r)),
                ),
                namespace: args.namespace,
                serviceAccount,
              }),
            ),
          ),
          tags: { ...args.tags, workload },
        },
        { parent: this },
      );
    }
    this.roles = roles;
    this.scalerRoles = Object.fromEntries(
      KEDA_SCALED_WORKLOADS.map((workload) => [
        workload,
        new aws.iam.Role(
          `${name}-${workload}-scaler`,
          {
            name: scalerRoleName(args.environment, workload),
            description: `KEDA's ${workload} scaler (${args.environment}): reads its scaling metric only`,
            assumeRolePolicy: pulumi.output(args.accountId).apply((accountId) =>
              JSON.stringify(
                kedaScalerTrustPolicy({
                  accountId,
                  kedaOperatorRoleArns: args.clusterRegions.map(
                    (r) =>
                      `arn:aws:iam::${accountId}:role/${kedaOperatorRoleName(clusterName(args.environment, r))}`,
                  ),
                }),
              ),
            ),
            tags: { ...args.tags, workload },
          },
          { parent: this },
        ),
      ]),
    );
    this.serviceAccounts = serviceAccounts;
    this.clusterRegions = [...args.clusterRegions];
    this.clusterArns = pulumi
      .output(args.accountId)
      .apply((accountId) =>
        Object.fromEntries(
          args.clusterRegions.map((r) => [r, eksClusterArn(r, accountId, clusterName(args.environment, r))]),
        ),
      );
    this.heartbeatServiceAccount = args.heartbeatServiceAccount ?? REPLICATION_HEARTBEAT_WORKLOAD;
    this.heartbeatRole = new aws.iam.Role(
      `${name}-${REPLICATION_HEARTBEAT_WORKLOAD}`,
      {
        name: replicationHeartbeatRoleName(args.environment),
        description: `replication heartbeat writer (${args.environment}) via EKS Pod Identity in ${args.clusterRegions.join(', ')}`,
        assumeRolePolicy: pulumi.all([args.accountId, this.clusterArns]).apply(([accountId, arns]) =>
          JSON.stringify(
            podIdentityTrustPolicy({
              accountId,
              clusterArns: Object.values(arns),
              namespace: args.namespace,
              serviceAccount: this.heartbeatServiceAccount,
            }),
          ),
        ),
        tags: { ...args.tags, workload: REPLICATION_HEARTBEAT_WORKLOAD },
      },
      { parent: this },
    );
    this.registerOutputs({ roleArns: this.roleArns, heartbeatRoleArn: this.heartbeatRole.arn });
  }

  /** The role ARNs by workload. */
  get roleArns(): Record<WorkloadName, pulumi.Output<string>> {
    return Object.fromEntries(WORKLOADS.map((w) => [w, this.roles[w].arn])) as Record<
      WorkloadName,
      pulumi.Output<string>
    >;
  }
}

/**
 * What a consumer needs of a workload role: its name and ARN. The global stack passes the roles it
 * creates; a regional stack passes {@link derivedRoleRef}s (the roles are the global stack's).
 */
export type RoleRef = Pick<aws.iam.Role, 'arn' | 'name'>;

/**
 * A role of the global stack as a regional stack sees it: name and ARN derived from the naming
 * contract (static stability: no lookup, no stack reference; IAM role ARNs are `arn:aws:iam::<account>:role/<name>`).
 */
export function derivedRoleRef(roleName: string, accountId: pulumi.Input<string>): RoleRef {
  return {
    name: pulumi.output(roleName),
    arn: pulumi.interpolate`arn:aws:iam::${accountId}:role/${roleName}`,
  };
}
