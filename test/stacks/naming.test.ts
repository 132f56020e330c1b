import { LEASE_TABLE_KEY, physicalNames, streamScorerLeaseTableName } from '../../stacks/naming';

/* Names are a contract: renaming a table replaces it. Each new name has its test. */
describe('stream scorer names', () => {
  test('the lease table of a region carries the environment and the region', () => {
    expect(streamScorerLeaseTableName('prod', 'us-west-2')).toBe('prod-stream-scorer-leases-us-west-2');
    expect(streamScorerLeaseTableName('prod', 'us-east-1')).toBe('prod-stream-scorer-leases-us-east-1');
  });

  test("the lease table's hash key is KCL's own", () => {
    expect(LEASE_TABLE_KEY).toBe('leaseKey');
  });

  test('the metrics namespace is the environment-scoped stream scorer name', () => {
    expect(physicalNames('prod').streamScorerMetricsNamespace).toBe('prod-stream-scorer');
  });
});
