import { RANK } from './diff-section';
import { Block } from './fit';
import { table, tableBlock } from './markdown';
import { SimResult } from './sim';

const secs = (v: number | null | undefined): string => (typeof v === 'number' ? `${v} s` : 'n/a');
const num = (v: number | null | undefined): string => (typeof v === 'number' ? String(v) : 'n/a');

/**
 * The capacity simulation section (only when the simulator's verdicts exist): one row per trace
 * with its verdict, RTO and the worst breach, then each workload's figures.
 */
export function simBlocks(sim: SimResult, file: string): Block[] {
  const traces = table(
    ['trace', 'verdict', 'RTO', 'workloads in breach', 'longest breach'],
    sim.traces.map((t) => {
      const breaching = t.workloads.filter((w) => (w.breachSeconds ?? 0) > 0);
      const longest = Math.max(0, ...t.workloads.map((w) => w.breachSeconds ?? 0));
      return [
        t.trace,
        `**${t.verdict}**${t.budget === 'advisory' ? ' (advisory)' : ''}`,
        secs(t.rtoSeconds),
        `${breaching.length} of ${t.workloads.length}`,
        secs(longest),
      ];
    }),
  );
  const blocks: Block[] = [
    {
      kind: 'fixed',
      text: `### Capacity simulation (${sim.env})\n\n${traces}\n\n_From \`${file}\` (\`npm run simulate -- --env ${sim.env} --json\`)._`,
    },
  ];
  const rows = sim.traces.flatMap((t) =>
    t.workloads.map((w) => [
      t.trace,
      w.workload,
      w.region,
      secs(w.timeToCapacitySeconds),
      secs(w.breachSeconds),
      num(w.peakPods),
      num(w.peakNodes),
    ]),
  );
  if (rows.length > 0) {
    blocks.push(
      tableBlock(
        ['trace', 'workload', 'region', 'time to capacity', 'breach', 'peak pods', 'peak nodes'],
        rows,
        RANK.simWorkloads,
        'the simulated workloads',
      ),
    );
  }
  return blocks;
}
