import { Command } from 'commander';
import { loadPlan } from '../diff/load';
import { parseArgs } from '../lib/args';
import { ExitCode } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { Progress } from '../lib/progress';
import { CostReport, estimateCost } from './estimate';
import { PRICE_FILE, readPriceTable } from './prices';
import { CostDelta, costDelta, renderCostText } from './render';

/** The cost of a plan argument (a plan directory or a resources.json) with a price table. */
export function costOf(arg: string, label: string, prices = PRICE_FILE): CostReport {
  return estimateCost(loadPlan(arg, label).resources, readPriceTable(prices));
}

/** The JSON contract (DESIGN.md §3.6), plus `delta` when a base was given. */
export function costJson(report: CostReport, delta?: CostDelta[]): string {
  return JSON.stringify(delta ? { ...report, delta } : report, null, 2);
}

/**
 * `npm run cost -- <plan> [--base <plan>] [--json] [--prices <file>]`: the monthly cost of each
 * environment and stack by line item. Exit 0, or 2 on bad input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('cost')
    .description('Monthly cost of each environment and stack of an offline plan, by line item.')
    .argument('<plan>', 'dist/plan, dist/plan/<env>, a stacks/<stack> folder or a resources.json')
    .option('--base <plan>', 'a base plan to compute the delta against')
    .option('--json', 'print { currency, priceDate, environments } on stdout')
    .option('--prices <file>', 'the price table', PRICE_FILE);
  parseArgs(cmd, argv);
  const opts = cmd.opts<{ json?: boolean; base?: string; prices: string }>();
  const progress = new Progress({ json: opts.json });
  const head = await progress.step(
    `cost ${cmd.args[0]}`,
    () => costOf(cmd.args[0], '<plan>', opts.prices),
    (r) => r.environments.map((e) => `${e.env} $${e.monthly}`).join(', '),
  );
  const base = opts.base
    ? await progress.step(`cost of the base ${opts.base}`, () => costOf(opts.base!, '--base', opts.prices))
    : undefined;
  const delta = base ? costDelta(base, head) : undefined;
  console.log(opts.json ? costJson(head, delta) : renderCostText(head, delta));
  return ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
