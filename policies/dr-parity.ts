import { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { autoscalersOf, k8sObjects } from './autoscaling-capacity';
import { replicaRegionsOf } from './data-stores';
import { label, physicalName, regionOf } from './props';

/** Configuration shared by the DR parity rules. */
export interface DrConfig {
  /** @default 'us-west-2' */
  readonly primaryRegion?: string;
  /** @default 'us-east-1' */
  readonly drRegion?: string;
  /** DR warm-standby minimums as a fraction of primary's. @default 0.25 */
  readonly standbyFraction?: number;
}

const DR_SCHEMA = {
  properties: {
    primaryRegion: { type: 'string' as const },
    drRegion: { type: 'string' as const },
    standbyFraction: { type: 'number' as const, exclusiveMinimum: 0, maximum: 1 },
  },
};

const regionsOf = (c: DrConfig) => ({
  primary: c.primaryRegion ?? 'us-west-2',
  dr: c.drRegion ?? 'us-east-1',
});

/** AWS resource types that hold state or serve traffic and so must exist in both regions, keyed by physical name. */
export const REGIONAL_TWINS: Readonly<Record<string, string>> = {
  'aws:kinesis/stream:Stream': 'Kinesis stream',
  'aws:sqs/queue:Queue': 'SQS queue',
  'aws:sns/topic:Topic': 'SNS topic',
  'aws:eks/cluster:Cluster': 'EKS cluster',
};
/** Kubernetes kinds that serve (workloads and their autoscalers), keyed by namespace and name. */
export const K8S_TWINS = ['Deployment', 'HorizontalPodAutoscaler', 'ScaledObject'];
const TABLE = 'aws:dynamodb/table:Table';

/** The identity of a resource across regions: its physical name with the region taken out. */
const twinKey = (r: PolicyResource, region: string): string =>
  `${r.type}|${physicalName(r).split(region).join('{region}')}`;

/** Every stateful or serving resource of the primary region has its counterpart in the DR region. */
export const drParity: StackValidationPolicy = {
  name: 'dr-parity',
  description:
    'Every stateful or serving resource in the primary region (stream, table, queues and DLQs, topic, cluster, each workload and its autoscaler) must have its counterpart in the DR region.',
  enforcementLevel: 'mandatory',
  configSchema: DR_SCHEMA,
  validateStack: (args, reportViolation) => {
    const { primary, dr } = regionsOf(args.getConfig<DrConfig>() ?? {});
    const missing = (r: PolicyResource, what: string, fix: string) =>
      reportViolation(
        `${what} in the primary region ${primary} must have its counterpart in the DR region ${dr}; ${fix}`,
        r.urn,
      );

    const aws = args.resources.filter((r) => REGIONAL_TWINS[r.type] !== undefined);
    const inDr = new Set(aws.filter((r) => regionOf(r) === dr).map((r) => twinKey(r, dr)));
    for (const r of aws.filter((x) => regionOf(x) === primary)) {
      if (!inDr.has(twinKey(r, primary))) {
        missing(
          r,
          `${REGIONAL_TWINS[r.type]} ${label(r.type, r.name)} ('${physicalName(r)}')`,
          'build it from the same regional component in both regions.',
        );
      }
    }

    // A table is covered by a replica in DR (inline `replicas` or a `TableReplica`), or by a regional
    // twin there: the same name, the region in it swapped (per-region state such as shard leases).
    const tables = args.resources.filter((r) => r.type === TABLE);
    const drTables = new Set(tables.filter((t) => regionOf(t) === dr).map((t) => twinKey(t, dr)));
    for (const t of tables.filter((x) => regionOf(x) === primary)) {
      const replicated = replicaRegionsOf(t, args.resources).includes(dr);
      if (!replicated && !drTables.has(twinKey(t, primary))) {
        missing(
          t,
          `DynamoDB table ${label(t.type, t.name)}`,
          `add an aws.dynamodb.TableReplica in '${dr}' (a global table replica), or the same regional table there.`,
        );
      }
    }

    const k8s = k8sObjects(args.resources).filter((o) => K8S_TWINS.includes(o.kind));
    const key = (o: (typeof k8s)[number]) => `${o.kind}|${o.namespace}/${o.name}`;
    const k8sInDr = new Set(k8s.filter((o) => o.region === dr).map(key));
    for (const o of k8s.filter((x) => x.region === primary && !k8sInDr.has(key(x)))) {
      missing(
        o.r,
        `${o.kind} '${o.namespace}/${o.name}'`,
        "deploy the same chart to the DR region's cluster (warm standby).",
      );
    }
  },
};

/** The DR region's autoscaler minimums keep the configured fraction of primary's warm. */
export const drStandbyMinimums: StackValidationPolicy = {
  name: 'dr-standby-minimums',
  description:
    "DR autoscaler minimums must be at least the configured standby fraction of the primary region's minimums.",
  enforcementLevel: 'mandatory',
  configSchema: DR_SCHEMA,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<DrConfig>() ?? {};
    const { primary, dr } = regionsOf(config);
    const fraction = config.standbyFraction ?? 0.25;
    const scalers = autoscalersOf(k8sObjects(args.resources));
    for (const p of scalers.filter((s) => s.o.region === primary)) {
      const twin = scalers.find(
        (s) =>
          s.o.region === dr &&
          s.o.kind === p.o.kind &&
          s.o.namespace === p.o.namespace &&
          s.o.name === p.o.name,
      );
      if (!twin) continue; // dr-parity reports the missing autoscaler
      const required = Math.ceil(p.min * fraction - 1e-9);
      if (twin.min < required) {
        const field = twin.o.kind === 'ScaledObject' ? 'spec.minReplicaCount' : 'spec.minReplicas';
        reportViolation(
          `${twin.o.kind} '${twin.o.namespace}/${twin.o.name}' in the DR region ${dr} must keep at least ${required} replicas warm ` +
            `(${fraction} x primary's ${p.min}), but ${field} is ${twin.min}; derive the standby minimum from dr.standbyFraction.`,
          twin.o.r.urn,
        );
      }
    }
  },
};

export const drParityPolicies = [drParity, drStandbyMinimums];
