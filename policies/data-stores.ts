import { dynamodbThroughputQuotas } from './dynamodb-quotas';
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { arr, forTypes, label, obj, physicalName, Props, regionOf, str } from './props';

const TABLE = 'aws:dynamodb/table:Table';
/** A global table's replica as its own resource (pulumi-aws `aws.dynamodb.TableReplica`). */
export const TABLE_REPLICA = 'aws:dynamodb/tableReplica:TableReplica';

/** The region and table name of a DynamoDB table ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`). */
export function tableOfArn(arn: unknown): { region: string; name: string } | undefined {
  const m = /^arn:[^:]+:dynamodb:([^:]+):[^:]*:table\/([^/]+)$/.exec(str(arn) ?? '');
  return m ? { region: m[1], name: m[2] } : undefined;
}

/**
 * The regions a table is replicated to, whichever way the replicas are declared: inline
 * (`replicas[].regionName`) or as `TableReplica` resources whose `globalTableArn` names the table
 * (its physical name in its region).
 */
export function replicaRegionsOf(table: PolicyResource, resources: readonly PolicyResource[]): string[] {
  const inline = arr((table.props as Props).replicas)
    .map((r) => str(obj(r)?.regionName))
    .filter((r): r is string => r !== undefined);
  const home = regionOf(table);
  const separate = resources
    .filter((r) => r.type === TABLE_REPLICA)
    .filter((r) => {
      const target = tableOfArn((r.props as Props).globalTableArn);
      return target !== undefined && target.name === physicalName(table) && target.region === home;
    })
    .map((r) => regionOf(r))
    .filter((r): r is string => r !== undefined);
  return [...inline, ...separate];
}

/** A table's replicas (`replicas[]` of a global table, version 2019.11.21). */
const replicasOf = (props: Props): Props[] =>
  arr(props.replicas)
    .map(obj)
    .filter((r): r is Props => r !== undefined);
const regionOfReplica = (r: Props): string => str(r.regionName) ?? '<no regionName>';

/** Point-in-time recovery on the table and on every replica. */
export const dynamodbPitr: ResourceValidationPolicy = {
  name: 'dynamodb-pitr',
  description: 'DynamoDB tables and every replica must have point-in-time recovery enabled.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([TABLE, TABLE_REPLICA], ({ type, name, props }, reportViolation) => {
    if (type === TABLE_REPLICA) {
      if (props.pointInTimeRecovery !== true) {
        reportViolation(
          `${label(type, name)} must have point-in-time recovery on the ${str(props.region) ?? '<provider region>'} replica; ` +
            'set pointInTimeRecovery: true.',
        );
      }
      return;
    }
    const missing: string[] = [];
    if (obj(props.pointInTimeRecovery)?.enabled !== true)
      missing.push('the table (pointInTimeRecovery.enabled)');
    for (const r of replicasOf(props)) {
      if (r.pointInTimeRecovery !== true)
        missing.push(`the ${regionOfReplica(r)} replica (replicas[].pointInTimeRecovery)`);
    }
    if (missing.length > 0) {
      reportViolation(
        `${label(TABLE, name)} must have point-in-time recovery on ${missing.join(' and ')}; ` +
          'set pointInTimeRecovery: { enabled: true } and pointInTimeRecovery: true on each replica.',
      );
    }
  }),
};

/** A customer-managed KMS key on the table and on every replica. */
export const dynamodbCmkEncryption: ResourceValidationPolicy = {
  name: 'dynamodb-cmk-encryption',
  description: 'DynamoDB tables and every replica must be encrypted with a customer-managed KMS key.',
  enforcementLevel: 'mandatory',
  validateResource: forTypes([TABLE, TABLE_REPLICA], ({ type, name, props }, reportViolation) => {
    if (type === TABLE_REPLICA) {
      if (!str(props.kmsKeyArn)) {
        reportViolation(
          `${label(type, name)} must be encrypted with a customer-managed KMS key on the ${str(props.region) ?? '<provider region>'} replica; ` +
            "set kmsKeyArn to the platform key's replica in that region.",
        );
      }
      return;
    }
    const sse = obj(props.serverSideEncryption);
    const missing: string[] = [];
    if (sse?.enabled !== true || !str(sse.kmsKeyArn))
      missing.push('the table (serverSideEncryption.{enabled,kmsKeyArn})');
    for (const r of replicasOf(props)) {
      if (!str(r.kmsKeyArn)) missing.push(`the ${regionOfReplica(r)} replica (replicas[].kmsKeyArn)`);
    }
    if (missing.length > 0) {
      reportViolation(
        `${label(TABLE, name)} must be encrypted with a customer-managed KMS key on ${missing.join(' and ')}; ` +
          "set serverSideEncryption: { enabled: true, kmsKeyArn: <the primary key's ARN> } and each replica's kmsKeyArn to " +
          "the key's replica in that region.",
      );
    }
  }),
};

/** Configuration of `dynamodb-deletion-protection`. */
export interface DeletionProtectionConfig {
  /** @default true (staging and prod; dev's policy config sets false) */
  readonly requireDeletionProtection?: boolean;
}

/** Deletion protection on the table and its replicas where the environment requires it. */
export const dynamodbDeletionProtection: ResourceValidationPolicy = {
  name: 'dynamodb-deletion-protection',
  description: 'DynamoDB tables and their replicas must have deletion protection in staging and prod.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { requireDeletionProtection: { type: 'boolean' } } },
  validateResource: forTypes<DeletionProtectionConfig>(
    [TABLE, TABLE_REPLICA],
    ({ type, name, props, config }, reportViolation) => {
      if (config.requireDeletionProtection === false) return;
      if (type === TABLE_REPLICA) {
        if (props.deletionProtectionEnabled !== true) {
          reportViolation(
            `${label(type, name)} must have deletion protection on the ${str(props.region) ?? '<provider region>'} replica in this environment; ` +
              'set deletionProtectionEnabled: true (config tables.protect).',
          );
        }
        return;
      }
      const missing: string[] = [];
      if (props.deletionProtectionEnabled !== true) missing.push('the table (deletionProtectionEnabled)');
      for (const r of replicasOf(props)) {
        if (r.deletionProtectionEnabled !== true)
          missing.push(`the ${regionOfReplica(r)} replica (replicas[].deletionProtectionEnabled)`);
      }
      if (missing.length > 0) {
        reportViolation(
          `${label(TABLE, name)} must have deletion protection on ${missing.join(' and ')} in this environment; ` +
            'set deletionProtectionEnabled: true on the table and on each replica (config tables.protect).',
        );
      }
    },
  ),
};

/** Configuration of `dynamodb-dr-replica`. */
export interface DrReplicaConfig {
  /** The environment's DR region. @default - any region other than the table's own */
  readonly drRegion?: string;
}

/**
 * Every table is a global table with a replica in the DR region, declared inline (`replicas`) or as a
 * `TableReplica`. A stack rule, since a `TableReplica` is a resource of its own. Per-region state
 * (a table whose name carries its region, e.g. a consumer's shard leases) passes with its twin in the
 * DR region instead: leases name one region's shards and must not replicate.
 */
export const dynamodbDrReplica: StackValidationPolicy = {
  name: 'dynamodb-dr-replica',
  description: "DynamoDB tables must have a replica in the environment's DR region.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { drRegion: { type: 'string' } } },
  validateStack: (args, reportViolation) => {
    const drRegion = args.getConfig<DrReplicaConfig>()?.drRegion;
    const tables = args.resources.filter((r) => r.type === TABLE);
    for (const t of tables) {
      const own = regionOf(t);
      if (own !== undefined && own === drRegion) continue; // a table homed in DR is checked by dr-parity
      const regions = replicaRegionsOf(t, args.resources);
      const replicated = drRegion ? regions.includes(drRegion) : regions.some((r) => r !== own);
      const name = physicalName(t);
      const regionalTwin =
        own !== undefined &&
        drRegion !== undefined &&
        name.includes(own) &&
        tables.some((x) => regionOf(x) === drRegion && physicalName(x) === name.split(own).join(drRegion));
      if (!replicated && !regionalTwin) {
        reportViolation(
          `${label(TABLE, t.name)} must have a replica in the DR region ${drRegion ?? '(any other region)'}; ` +
            `add an aws.dynamodb.TableReplica { globalTableArn: <the table's ARN>, region: '${drRegion ?? '<dr region>'}', kmsKeyArn, pointInTimeRecovery: true } ` +
            '(or inline replicas: [{ regionName, ... }]).',
          t.urn,
        );
      }
    }
  },
};

export const dataStorePolicies = [
  dynamodbPitr,
  dynamodbCmkEncryption,
  dynamodbDeletionProtection,
  dynamodbDrReplica,
  dynamodbThroughputQuotas,
];
