import { evaluatePolicies } from '../../tools/policy/evaluate';
import { DR, PRIMARY, resource } from './fixtures';

/* GIVEN a global table's autoscaling targets (home reads and writes, DR reads), WHEN one maximum or a
 * region's total passes the declared quota, THEN `dynamodb-throughput-quotas` names it. */

const target = (table: string, region: string, dim: 'Read' | 'Write', max: number) =>
  resource('aws:appautoscaling/target:Target', `${table}-${region}-${dim}`, region, {
    region,
    serviceNamespace: 'dynamodb',
    resourceId: `table/${table}`,
    scalableDimension: `dynamodb:table:${dim}CapacityUnits`,
    minCapacity: 5,
    maxCapacity: max,
  });

const globalTable = (table: string, reads: number, writes: number) => [
  target(table, PRIMARY, 'Read', reads),
  target(table, PRIMARY, 'Write', writes),
  target(table, DR, 'Read', reads),
];

const messages = async (resources: ReturnType<typeof target>[], config = {}) =>
  (await evaluatePolicies(resources, { 'dynamodb-throughput-quotas': config }))
    .filter((v) => v.policy === 'dynamodb-throughput-quotas')
    .map((v) => v.message);

describe('dynamodb-throughput-quotas', () => {
  test('passes tables within the default quotas', async () => {
    expect(await messages(globalTable('a', 40000, 40000))).toEqual([]);
  });

  test('fails a table whose read maximum is above the default table quota (40,000)', async () => {
    const m = await messages(globalTable('a', 40001, 100));
    expect(m).toHaveLength(2); // home and DR read targets
    expect(m[0]).toContain(
      'table/a in us-west-2 must autoscale reads within the table-level read quota (40000), not to 40001 units',
    );
  });

  test('counts the home write target in the replica region too, against the account quota', async () => {
    const m = await messages([
      ...globalTable('a', 100, 40000),
      ...globalTable('b', 100, 40000),
      ...globalTable('c', 100, 5),
    ]);
    expect(m.sort()).toEqual([
      expect.stringContaining(
        'tables in us-east-1 must autoscale writes within the account-level write quota (80000) in total, not to 80005 units',
      ),
      expect.stringContaining(
        'tables in us-west-2 must autoscale writes within the account-level write quota (80000) in total, not to 80005 units',
      ),
    ]);
  });

  test('accepts what the declared (raised) quotas allow', async () => {
    const quotas = {
      tableReadUnits: 100000,
      tableWriteUnits: 100000,
      accountReadUnits: 200000,
      accountWriteUnits: 200000,
    };
    expect(await messages(globalTable('a', 90000, 90000), quotas)).toEqual([]);
  });
});
