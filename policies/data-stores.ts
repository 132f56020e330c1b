import { ResourceValidationPolicy } from '@pulumi/policy';
import { arr, forTypes, label, obj, Props, str } from './props';

const TABLE = 'aws:dynamodb/table:Table';

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
  validateResource: forTypes([TABLE], ({ name, props }, reportViolation) => {
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
  validateResource: forTypes([TABLE], ({ name, props }, reportViolation) => {
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
    [TABLE],
    ({ name, props, config }, reportViolation) => {
      if (config.requireDeletionProtection === false) return;
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

/** Every table is a global table with a replica in the DR region. */
export const dynamodbDrReplica: ResourceValidationPolicy = {
  name: 'dynamodb-dr-replica',
  description: "DynamoDB tables must have a replica in the environment's DR region.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { drRegion: { type: 'string' } } },
  validateResource: forTypes<DrReplicaConfig>([TABLE], ({ name, props, config }, reportViolation) => {
    const own = str(props.region);
    const drRegion = config.drRegion;
    if (own !== undefined && own === drRegion) return; // a table homed in DR is checked by dr-parity
    const regions = replicasOf(props).map((r) => str(r.regionName));
    const ok = drRegion ? regions.includes(drRegion) : regions.some((r) => r !== undefined && r !== own);
    if (!ok) {
      reportViolation(
        `${label(TABLE, name)} must have a replica in the DR region ${drRegion ?? '(any other region)'}; ` +
          `add replicas: [{ regionName: '${drRegion ?? '<dr region>'}', kmsKeyArn, pointInTimeRecovery: true }].`,
      );
    }
  }),
};

export const dataStorePolicies = [
  dynamodbPitr,
  dynamodbCmkEncryption,
  dynamodbDeletionProtection,
  dynamodbDrReplica,
];
