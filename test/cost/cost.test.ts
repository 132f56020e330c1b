import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../tools/cost/cli';
import { CostReport, estimateCost } from '../../tools/cost/estimate';
import { readPriceTable } from '../../tools/cost/prices';
import { PlanRecord } from '../../tools/diff/load';
import { tempDir } from '../helpers/tmp';
import { runCli } from '../diff/cli-run';

const PLAN = path.join(__dirname, 'fixtures', 'plan');
const records = (): PlanRecord[] => JSON.parse(fs.readFileSync(path.join(PLAN, 'resources.json'), 'utf8'));
const HOURS = 730;

function line(report: CostReport, resource: string, item: RegExp) {
  const found = report.environments[0].lines.filter(
    (l) => l.urn.endsWith(`::${resource}`) && item.test(l.item),
  );
  expect(found).toHaveLength(1);
  return found[0];
}

describe('npm run cost on a small plan, against a hand computation', () => {
  const report = estimateCost(records(), readPriceTable());

  test.each([
    ['w-cluster', /EKS control plane/, 1, 0.1 * HOURS],
    ['w-nodes-a', /^nodes: 2 x c7i.2xlarge$/, 2, 2 * 0.357 * HOURS],
    ['w-nodes-a', /root volumes/, 40, 40 * 0.08],
    ['w-nat-a', /NAT gateway/, 1, 0.045 * HOURS],
    ['w-nat-a-eip', /public IPv4/, 1, 0.005 * HOURS],
    ['w-sqs', /interface endpoint .* x 3 AZ/, 3, 3 * 0.01 * HOURS],
    ['w-stream', /^4 shards$/, 4, 4 * 0.015 * HOURS],
    ['w-stream', /extended retention 48 h/, 4, 4 * 0.02 * HOURS],
    ['w-consumer', /enhanced fan-out x 4 shards/, 4, 4 * 0.015 * HOURS],
    ['features-table', /reads: 100 RCU/, 100, 100 * 0.00013 * HOURS],
    ['features-table', /replicated writes: 20 rWCU/, 20, 20 * 0.00065 * HOURS],
    ['features-replica', /replica reads: 200 RCU/, 200, 200 * 0.00013 * HOURS],
    ['features-replica', /replica replicated writes: 20 rWCU/, 20, 20 * 0.00065 * HOURS],
    ['keys-primary', /KMS key/, 1, 1],
    ['keys-replica', /KMS key/, 1, 1],
    ['arc', /ARC cluster/, 1, 2.5 * HOURS],
    ['w-health', /health check/, 1, 0.5],
    ['us-west-2-datadog', /Datadog hosts: 2 nodes/, 2, 2 * 18],
  ])('%s %s: quantity %d, monthly by hand', (resource, item, quantity, monthly) => {
    const l = line(report, resource, item);
    expect(l.quantity).toBe(quantity);
    expect(l.monthly).toBeCloseTo(monthly, 2);
  });

  test('the environment and its stacks are the sums of their lines, named from the URNs', () => {
    const env = report.environments[0];
    expect(env.env).toBe('shop');
    expect(env.monthly).toBe(2712.77);
    expect(env.stacks).toEqual([
      { stack: 'shop-global', monthly: 1825.5 },
      { stack: 'shop-us-east-1', monthly: 29.47 },
      { stack: 'shop-us-west-2', monthly: 857.8 },
    ]);
  });

  test('a type with no price is listed as unpriced, never priced at zero', () => {
    const env = report.environments[0];
    expect(env.unpriced).toEqual([
      {
        urn: expect.stringMatching(/::w-bucket$/),
        type: 'aws:s3/bucket:Bucket',
        reason: 'no price listed for this type',
      },
    ]);
    expect(env.lines.some((l) => l.type === 'aws:s3/bucket:Bucket')).toBe(false);
  });

  test('an instance type missing from the table makes the node line unpriced, naming the price key', () => {
    const plan = records().map((r) =>
      r.name === 'w-nodes-a' ? { ...r, props: { ...r.props, instanceTypes: ['x9.large'] } } : r,
    );
    const env = estimateCost(plan, readPriceTable()).environments[0];
    expect(env.unpriced).toContainEqual(
      expect.objectContaining({
        type: 'aws:eks/nodeGroup:NodeGroup',
        reason: expect.stringContaining('ec2.instance-hour.x9.large for us-west-2'),
      }),
    );
    expect(env.lines.some((l) => l.item.includes('x9.large'))).toBe(false);
  });

  test('free and usage-based resources add no line; usage-based ones are reported as not estimated', () => {
    const env = report.environments[0];
    const free = ['w-role', 'w-queue', 'features', 'w-api', 'w-dynamodb', 'features-w-reads'];
    expect(env.lines.filter((l) => free.includes(l.urn.split('::').pop()!))).toEqual([]);
    expect(env.notEstimated).toEqual([expect.objectContaining({ type: 'aws:sqs/queue:Queue', count: 1 })]);
  });
});

describe('the delta against a base plan', () => {
  test('one more node is its instance, root volume and Datadog host, in --json', async () => {
    const dir = tempDir('cost-base-');
    const base = records().map((r) =>
      r.name === 'w-nodes-a'
        ? { ...r, props: { ...r.props, scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 4 } } }
        : r,
    );
    fs.writeFileSync(path.join(dir, 'resources.json'), JSON.stringify(base));
    const { code, stdout } = await runCli(main, [PLAN, '--base', dir, '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as CostReport & {
      delta: { env: string; base: number; head: number; delta: number }[];
    };
    expect(out.currency).toBe('USD');
    expect(out.priceDate).toBe(readPriceTable().priceDate);
    expect(out.delta).toEqual([{ env: 'shop', base: 2432.56, head: 2712.77, delta: 280.21 }]);
    expect(280.21).toBeCloseTo(0.357 * HOURS + 20 * 0.08 + 18, 2);
  });

  test('a plan path that does not exist is bad input', async () => {
    await expect(main([path.join(PLAN, 'nope')])).rejects.toThrow(/^<plan>: received ".*nope"/);
  });
});

describe('the price table', () => {
  test('is dated and cites a source for every price', () => {
    const t = readPriceTable();
    expect(t.priceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const p of Object.values(t.prices)) expect(t.sources[p.source]).toMatch(/^https:\/\//);
  });
});
