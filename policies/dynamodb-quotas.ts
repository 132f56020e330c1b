import { StackValidationPolicy } from '@pulumi/policy';
import { num, regionOf, str } from './props';

const TARGET = 'aws:appautoscaling/target:Target';

/** Configuration of `dynamodb-throughput-quotas`: the quotas the environment declares (`tables.quotas`). */
export interface ThroughputQuotasConfig {
  readonly tableReadUnits?: number;
  readonly tableWriteUnits?: number;
  readonly accountReadUnits?: number;
  readonly accountWriteUnits?: number;
}

/**
 * AWS's default provisioned-throughput quotas, per region: 40,000 read and write units per table,
 * 80,000 each per account (the sum of every table's and GSI's provisioned capacity).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
export const DEFAULT_THROUGHPUT_QUOTAS: Required<ThroughputQuotasConfig> = {
  tableReadUnits: 40000,
  tableWriteUnits: 40000,
  accountReadUnits: 80000,
  accountWriteUnits: 80000,
};

const DIMENSIONS = {
  'dynamodb:table:ReadCapacityUnits': 'read',
  'dynamodb:table:WriteCapacityUnits': 'write',
} as const;

/**
 * Autoscaling may only rise as far as the account lets it: each table's maximum within the table
 * quota, and the sum of the maximums in each region within the account quota. A version 2019.11.21
 * global table registers write autoscaling in its home region only and DynamoDB applies it to every
 * replica, so a write target counts in every region the table has a copy in (a region with any
 * target on the same `table/<name>`).
 */
export const dynamodbThroughputQuotas: StackValidationPolicy = {
  name: 'dynamodb-throughput-quotas',
  description:
    "Each table's autoscaling maximum, and each region's total, must be within the declared DynamoDB throughput quotas.",
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    const q = { ...DEFAULT_THROUGHPUT_QUOTAS, ...(args.getConfig<ThroughputQuotasConfig>() ?? {}) };
    const targets = args.resources
      .filter((r) => r.type === TARGET && str(r.props.serviceNamespace) === 'dynamodb')
      .flatMap((r) => {
        const dim = DIMENSIONS[str(r.props.scalableDimension) as keyof typeof DIMENSIONS];
        const max = num(r.props.maxCapacity);
        const resourceId = str(r.props.resourceId);
        return dim && max !== undefined && resourceId
          ? [{ r, dim, max, resourceId, region: regionOf(r) ?? '?' }]
          : [];
      });
    const regionsOf = (resourceId: string) => [
      ...new Set(targets.filter((t) => t.resourceId === resourceId).map((t) => t.region)),
    ];
    const totals = new Map<string, { read: number; write: number }>();
    for (const t of targets) {
      const tableQuota = t.dim === 'read' ? q.tableReadUnits : q.tableWriteUnits;
      if (t.max > tableQuota) {
        reportViolation(
          `${t.resourceId} in ${t.region} must autoscale ${t.dim}s within the table-level ${t.dim} quota (${tableQuota}), not to ${t.max} units; ` +
            `request an increase (Service Quotas, DynamoDB) and declare it in tables.quotas, or lower the targets.`,
          t.r.urn,
        );
      }
      for (const region of t.dim === 'write' ? regionsOf(t.resourceId) : [t.region]) {
        const sum = totals.get(region) ?? { read: 0, write: 0 };
        sum[t.dim] += t.max;
        totals.set(region, sum);
      }
    }
    for (const [region, sum] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
      for (const dim of ['read', 'write'] as const) {
        const quota = dim === 'read' ? q.accountReadUnits : q.accountWriteUnits;
        if (sum[dim] > quota) {
          reportViolation(
            `the DynamoDB tables in ${region} must autoscale ${dim}s within the account-level ${dim} quota (${quota}) in total, not to ${sum[dim]} units; ` +
              'request an increase and declare it in tables.quotas.',
          );
        }
      }
    }
  },
};
