import * as pulumi from '@pulumi/pulumi';
import { tableCapacity } from '../../../stacks/capacity';
import { PlatformKeys } from '../../../stacks/data/keys';
import { GlobalTable, TableBilling } from '../../../stacks/data/tables';
import { PlanMocks } from '../../../tools/plan/mocks';

/*
 * Resource options (retainOnDelete, ignoreChanges) are not in a plan's props, so this file builds a
 * GlobalTable directly under Pulumi mocks and reads the options its children were registered with
 * through a transformation, the SDK's own hook on child registration.
 */

interface Seen {
  readonly type: string;
  readonly name: string;
  readonly opts: pulumi.CustomResourceOptions;
}

async function buildTable(protect: boolean, billing = TableBilling.onDemand()) {
  await pulumi.runtime.setMocks(new PlanMocks('us-west-2'), 'risk-platform', 'test', false);
  const seen: Seen[] = [];
  const keys = new PlatformKeys('keys', {
    environment: 'test',
    primaryRegion: 'us-west-2',
    drRegion: 'us-east-1',
    accountId: '123456789012',
    tags: { environment: 'test' },
  });
  const table = new GlobalTable(
    'features',
    { tableName: 'test-features', keys, billing, protect, tags: { environment: 'test' } },
    {
      transformations: [
        (args) => {
          seen.push({ type: args.type, name: args.name, opts: args.opts });
          return undefined;
        },
      ],
    },
  );
  const replicaArn = await new Promise<string>((resolve) => table.arnIn('us-east-1').apply(resolve));
  return { seen, table, replicaArn };
}

const tableOpts = (seen: Seen[]) => {
  const t = seen.find((s) => s.type === 'aws:dynamodb/table:Table');
  if (!t) throw new Error('no table registered');
  return t.opts;
};

describe('GlobalTable options', () => {
  test('a protected table is retained on delete', async () => {
    const { seen } = await buildTable(true);
    expect(tableOpts(seen).retainOnDelete).toBe(true);
  });

  test('an unprotected table is not retained on delete', async () => {
    const { seen } = await buildTable(false);
    expect(tableOpts(seen).retainOnDelete).toBe(false);
  });

  test('a provisioned table leaves its capacity to autoscaling after creation', async () => {
    const { seen } = await buildTable(true, TableBilling.provisioned(CAPACITY()));
    expect(tableOpts(seen).ignoreChanges).toEqual(['readCapacity', 'writeCapacity', 'replicas']);
    expect(seen.filter((s) => s.type === 'aws:appautoscaling/target:Target')).toHaveLength(3);
  });

  test('the home region autoscales reads and writes, the DR replica only its reads', async () => {
    const { seen, table } = await buildTable(true, TableBilling.provisioned(CAPACITY()));
    const targets = seen.filter((s) => s.type === 'aws:appautoscaling/target:Target').map((s) => s.name);
    expect(targets.sort()).toEqual([
      'features-us-east-1-reads',
      'features-us-west-2-reads',
      'features-us-west-2-writes',
    ]);
    expect(Object.keys(table.scalingPolicies['us-west-2']).sort()).toEqual(['reads', 'writes']);
    expect(Object.keys(table.scalingPolicies['us-east-1'])).toEqual(['reads']);
  });

  test('the DR replica registers no write target or policy: DynamoDB passes the home write settings to it', async () => {
    const { seen } = await buildTable(true, TableBilling.provisioned(CAPACITY()));
    expect(seen.filter((s) => s.name === 'features-us-east-1-writes')).toEqual([]);
  });

  test('the table has no inline replicas: its replica is a TableReplica in the DR region', async () => {
    const { seen } = await buildTable(true);
    expect(seen.filter((s) => s.type === 'aws:dynamodb/table:Table').map((s) => s.name)).toEqual([
      'features-table',
    ]);
    expect(tableOpts(seen).ignoreChanges).toEqual(['replicas']);
    const replica = seen.find((s) => s.type === 'aws:dynamodb/tableReplica:TableReplica');
    expect(replica?.name).toBe('features-replica');
    expect(replica?.opts.retainOnDelete).toBe(true);
  });

  test('a provisioned table gets its replica only after the home region autoscales writes', async () => {
    const { seen, table } = await buildTable(true, TableBilling.provisioned(CAPACITY()));
    const replica = seen.find((s) => s.type === 'aws:dynamodb/tableReplica:TableReplica');
    const home = table.scalingPolicies['us-west-2'];
    expect(replica?.opts.dependsOn).toEqual(expect.arrayContaining([home.writes]));
    // The order of registration is the order of creation: home policies, replica, then DR targets.
    const order = seen.map((s) => `${s.type.split(':').pop()}:${s.name}`);
    expect(order.indexOf('Policy:features-us-west-2-writes')).toBeLessThan(
      order.indexOf('TableReplica:features-replica'),
    );
    expect(order.indexOf('TableReplica:features-replica')).toBeLessThan(
      order.indexOf('Target:features-us-east-1-reads'),
    );
  });

  test("the DR region's read autoscaling target depends on the replica", async () => {
    const { seen, table } = await buildTable(true, TableBilling.provisioned(CAPACITY()));
    const target = seen.find((s) => s.name === 'features-us-east-1-reads' && s.type.includes('target'));
    expect(target?.opts.dependsOn).toEqual([table.replica]);
  });

  test('an on-demand table gets its replica with no autoscaling to wait for', async () => {
    const { seen } = await buildTable(false);
    const replica = seen.find((s) => s.type === 'aws:dynamodb/tableReplica:TableReplica');
    expect(replica?.opts.dependsOn).toEqual([]);
    expect(replica?.opts.retainOnDelete).toBe(false);
    expect(seen.filter((s) => s.type.startsWith('aws:appautoscaling'))).toHaveLength(0);
  });
});

const CAPACITY = () =>
  tableCapacity({
    peakScoringRps: 100,
    peakStreamRecordsPerSec: 100,
    meanRecordBytes: 100,
    scoringPodRps: 10,
    streamPodRecordsPerSec: 10,
    peakFeedbackMessagesPerSec: 10,
    feedbackPodMessagesPerSec: 10,
    featureReadsPerScore: 2,
    headroom: 1.5,
    p99LatencyMs: 30,
  }).features;

describe('GlobalTable ARNs', () => {
  test('the replica ARN is the table ARN with the DR region', async () => {
    const { replicaArn } = await buildTable(true);
    expect(replicaArn).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/test-features');
  });
});

describe('TableBilling.provisioned', () => {
  test('rejects a minimum above the maximum, naming both', () => {
    const bad = { reads: { peak: 10, min: 20, max: 10 }, writes: { peak: 10, min: 5, max: 15 } };
    expect(() => TableBilling.provisioned(bad)).toThrow(
      new Error(`'capacity.reads' (min 20, max 10) must be integers with 1 <= min <= max`),
    );
  });
});
