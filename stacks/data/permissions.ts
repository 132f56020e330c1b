import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { WorkloadName, WORKLOADS } from '../naming';
import type { RoleRef } from './identities';
import { WorkloadIdentities } from './identities';
import { PlatformKeys } from './keys';
import { LeaseTable } from './lease-table';
import { DecisionFanout } from './messaging';
import {
  DataPlaneArns,
  HeartbeatRegion,
  replicationHeartbeatPolicy,
  scalerPolicy,
  workloadPolicy,
} from './policy-documents';
import { TransactionStream } from './stream';
import { PlatformTables } from './tables';
import { InvalidArgumentError } from '../errors';

export interface WorkloadPermissionsArgs {
  /** The roles to grant to. */
  readonly identities: Pick<WorkloadIdentities, 'clusterArns'> & {
    readonly roles: Readonly<Record<WorkloadName, RoleRef>>;
    readonly heartbeatRole: RoleRef;
    /** The read-only scaler roles of the KEDA-scaled workloads. */
    readonly scalerRoles: Readonly<Partial<Record<WorkloadName, RoleRef>>>;
  };
  /**
   * The regions whose copies (tables, keys) and clusters the policies grant: the stack's own region in
   * a regional stack. Each region's grant is its own inline policy (`data-plane-<region>`), so the two
   * regional stacks never write the same policy of a shared role.
   */
  readonly regions: readonly string[];
  /**
   * Every region of the environment: the heartbeat writer of a granted region reads the others'
   * heartbeats in its own replica.
   * @default - `regions`
   */
  readonly environmentRegions?: readonly string[];
  readonly keys: PlatformKeys;
  readonly tables: PlatformTables;
  /** Every region's stream (primary and DR). */
  readonly streams: readonly TransactionStream[];
  /** Every region's fan-out (primary and DR). */
  readonly fanouts: readonly DecisionFanout[];
  /** Every region's stream-scorer lease table (primary and DR). */
  readonly leaseTables: readonly LeaseTable[];
  /** The CloudWatch namespace the stream scorer publishes its consumer metrics to (stacks/naming). */
  readonly streamScorerMetricsNamespace: string;
}

/**
 * The least-privilege inline policy of each workload role, built from the resource objects of both
 * regions (a workload runs in either region and must reach that region's copies the moment traffic
 * moves). See {@link workloadPolicy} for what each workload may do.
 */
export class WorkloadPermissions extends pulumi.ComponentResource {
  readonly policies: readonly aws.iam.RolePolicy[];
  /** The read-only policy of each KEDA scaler role (see {@link scalerPolicy}). */
  readonly scalerPolicies: readonly aws.iam.RolePolicy[];
  /** The replication heartbeat writer's one policy (see {@link replicationHeartbeatPolicy}). */
  readonly heartbeatPolicy: aws.iam.RolePolicy;
  /** The resolved ARNs the policies are built from. */
  readonly arns: pulumi.Output<DataPlaneArns>;

  constructor(name: string, args: WorkloadPermissionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:WorkloadPermissions', name, {}, opts);
    if (args.streams.length === 0 || args.fanouts.length === 0 || args.leaseTables.length === 0) {
      throw new InvalidArgumentError(
        `'streams' (${args.streams.length}), 'fanouts' (${args.fanouts.length}) and 'leaseTables' (${args.leaseTables.length}) must not be empty`,
      );
    }
    this.arns = pulumi
      .all({
        streams: args.streams.map((s) => s.arn),
        streamConsumers: args.streams.map((s) => s.consumerArn),
        features: args.regions.map((r) => args.tables.features.arnIn(r)),
        decisions: args.regions.map((r) => args.tables.decisions.arnIn(r)),
        control: args.regions.map((r) => args.tables.control.arnIn(r)),
        topics: args.fanouts.map((f) => f.topic.arn),
        modelFeedbackQueues: args.fanouts.map((f) => f.queues.modelFeedback.queue.arn),
        leaseTables: args.leaseTables.map((t) => t.arn),
        kclMetadataTables: args.leaseTables.flatMap((t) => [
          t.workerMetricsTable.arn,
          t.coordinatorStateTable.arn,
        ]),
        keys: args.regions.map((r) => args.keys.keyIn(r).arn),
      })
      .apply((a): DataPlaneArns => ({
        streams: a.streams,
        streamConsumers: a.streamConsumers,
        tables: { features: a.features, decisions: a.decisions, control: a.control },
        topics: a.topics,
        modelFeedbackQueues: a.modelFeedbackQueues,
        leaseTables: a.leaseTables,
        kclMetadataTables: a.kclMetadataTables,
        metricsNamespace: args.streamScorerMetricsNamespace,
        keys: a.keys,
      }));
    this.policies = WORKLOADS.map(
      (workload) =>
        new aws.iam.RolePolicy(
          `${name}-${workload}`,
          {
            name: `data-plane-${args.regions.join('-')}`,
            role: args.identities.roles[workload].name,
            policy: this.arns.apply((a) => JSON.stringify(workloadPolicy(workload, a))),
          },
          { parent: this },
        ),
    );
    this.scalerPolicies = Object.entries(args.identities.scalerRoles).map(
      ([workload, role]) =>
        new aws.iam.RolePolicy(
          `${name}-${workload}-scaler`,
          {
            name: `scaling-metric-${args.regions.join('-')}`,
            role: role!.name,
            policy: this.arns.apply((a) =>
              JSON.stringify(
                scalerPolicy(workload as WorkloadName, {
                  modelFeedbackQueues: a.modelFeedbackQueues,
                  regions: args.regions,
                }),
              ),
            ),
          },
          { parent: this },
        ),
    );
    const heartbeatRegions: pulumi.Output<HeartbeatRegion>[] = args.regions.map((region) =>
      pulumi
        .all([
          args.tables.control.arnIn(region),
          args.keys.keyIn(region).arn,
          args.identities.clusterArns.apply((arns) => arns[region]),
        ])
        .apply(([controlTableArn, keyArn, clusterArn]) => ({ region, controlTableArn, keyArn, clusterArn })),
    );
    this.heartbeatPolicy = new aws.iam.RolePolicy(
      `${name}-replication-heartbeat`,
      {
        name: `replication-heartbeat-${args.regions.join('-')}`,
        role: args.identities.heartbeatRole.name,
        policy: pulumi
          .all([args.tables.control.name, pulumi.all(heartbeatRegions)])
          .apply(([controlTableName, regions]) =>
            JSON.stringify(
              replicationHeartbeatPolicy({
                controlTableName,
                regions,
                peerRegions: args.environmentRegions ?? args.regions,
              }),
            ),
          ),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
