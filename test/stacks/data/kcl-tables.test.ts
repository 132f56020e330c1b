import { PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';

/** KCL 3's three metadata tables per region, pre-created with KCL's schemas (issue 15 finding 11). */
const kclTables = (resources: PlannedResource[], region: string) =>
  ofType({ resources } as Parameters<typeof ofType>[0], 'aws:dynamodb/table:Table', region).filter((t) =>
    t.urn.includes('risk-platform:data:LeaseTable'),
  );

describe.each(['us-west-2', 'us-east-1'])('KCL 3 metadata tables in prod %s', (region) => {
  it('pre-creates the lease table with its lease-owner index, and the worker-metrics and coordinator-state tables', async () => {
    const plan = await planOf('prod');
    const tables: Record<string, Record<string, unknown>> = Object.fromEntries(
      kclTables(plan.resources, region).map((t) => [String(t.props.name), t.props]),
    );
    const lease = `prod-stream-scorer-leases-${region}`;
    expect(Object.keys(tables).sort()).toEqual(
      [lease, `${lease}-CoordinatorState`, `${lease}-WorkerMetricStats`].sort(),
    );
    expect(tables[lease].globalSecondaryIndexes).toEqual([
      {
        name: 'LeaseOwnerToLeaseKeyIndex',
        hashKey: 'leaseOwner',
        rangeKey: 'leaseKey',
        projectionType: 'KEYS_ONLY',
      },
    ]);
    expect(tables[`${lease}-WorkerMetricStats`]).toMatchObject({
      hashKey: 'wid',
      attributes: [{ name: 'wid', type: 'S' }],
    });
    expect(tables[`${lease}-CoordinatorState`]).toMatchObject({
      hashKey: 'key',
      attributes: [{ name: 'key', type: 'S' }],
    });
    for (const t of Object.values(tables)) {
      expect(t).toMatchObject({
        region,
        billingMode: 'PAY_PER_REQUEST',
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      });
      expect(
        ((t as Record<string, unknown>).serverSideEncryption as { kmsKeyArn: string }).kmsKeyArn,
      ).toMatch(/:key\/mrk-/);
    }
  });

  it('publishes the two metadata table names and the KCL version to the stream scorer', async () => {
    const plan = await planOf('prod');
    const cm = ofType(plan, 'kubernetes:core/v1:ConfigMap', region).find(
      (c) => (c.props.metadata as { name: string }).name === 'stream-scorer-config',
    );
    expect(cm?.props.data).toMatchObject({
      LEASE_TABLE_NAME: `prod-stream-scorer-leases-${region}`,
      WORKER_METRICS_TABLE_NAME: `prod-stream-scorer-leases-${region}-WorkerMetricStats`,
      COORDINATOR_STATE_TABLE_NAME: `prod-stream-scorer-leases-${region}-CoordinatorState`,
      KCL_VERSION: '>=3.0.0 <4.0.0',
    });
  });
});
