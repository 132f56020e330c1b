import * as path from 'path';
import { PlanRecord } from '../../tools/diff/load';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const BASE = path.join(FIXTURES, 'base');
export const HEAD = path.join(FIXTURES, 'head');
/** Plaintext values the head fixture holds where secrets belong (a provider key, a container env var). */
export const PLAINTEXT_SECRETS = ['plaintext-key-0123', 'sekret-value-4242'];

/** {@link SIM} as a file. */
export const SIM_FILE_FIXTURE = path.join(FIXTURES, 'sim-prod.json');

/** A simulator result in the `npm run simulate -- --json` shape (DESIGN.md §3.7). */
export const SIM = {
  env: 'prod',
  traces: [
    {
      trace: 'black-friday',
      verdict: 'pass',
      workloads: [
        {
          workload: 'scoring-api',
          region: 'us-west-2',
          timeToCapacitySeconds: 95,
          breachSeconds: 0,
          peakPods: 48,
          peakNodes: 14,
        },
      ],
    },
    {
      trace: 'regional-failover',
      verdict: 'breach',
      rtoSeconds: 240,
      workloads: [
        {
          workload: 'scoring-api',
          region: 'us-east-1',
          timeToCapacitySeconds: 310,
          breachSeconds: 30,
          peakPods: 52,
          peakNodes: 15,
        },
        {
          workload: 'stream-scorer',
          region: 'us-east-1',
          timeToCapacitySeconds: 120,
          breachSeconds: 0,
          peakPods: 12,
          peakNodes: 4,
        },
      ],
    },
  ],
};

/** `n` SSM parameters of `env` whose values change between base and head, plus 3 deleted tables. */
export function hugePlans(n: number, env = 'prod'): { base: PlanRecord[]; head: PlanRecord[] } {
  const param = (i: number, value: string): PlanRecord => ({
    urn: `urn:pulumi:${env}::risk-platform::risk-platform:platform:Region$aws:ssm/parameter:Parameter::us-west-2-param-${String(i).padStart(5, '0')}`,
    type: 'aws:ssm/parameter:Parameter',
    name: `us-west-2-param-${i}`,
    region: 'us-west-2',
    parent: null,
    props: { name: `/risk/${env}/param-${i}`, type: 'String', value, region: 'us-west-2' },
  });
  const table = (name: string): PlanRecord => ({
    urn: `urn:pulumi:${env}::risk-platform::risk-platform:data:GlobalTable$aws:dynamodb/table:Table::${name}`,
    type: 'aws:dynamodb/table:Table',
    name,
    region: 'us-west-2',
    parent: null,
    props: { name: `${env}-${name}`, hashKey: 'pk', billingMode: 'PAY_PER_REQUEST', region: 'us-west-2' },
  });
  const ids = Array.from({ length: n }, (_, i) => i);
  return {
    base: [...ids.map((i) => param(i, `old-value-${'x'.repeat(40)}-${i}`)), ...['a', 'b', 'c'].map(table)],
    head: ids.map((i) => param(i, `new-value-${'y'.repeat(40)}-${i}`)),
  };
}
