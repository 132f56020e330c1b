import { cents, CostReport, EnvironmentCost } from '../cost/estimate';
import { CostDelta, itemKind, largestItems, usd } from '../cost/render';
import { RANK } from './diff-section';
import { Block } from './fit';
import { byEnvOrder, code, envWeight, folded, shortName, table, tableBlock } from './markdown';

/** One priced item whose monthly cost differs between base and head. */
export interface LineDelta {
  readonly env: string;
  readonly urn: string;
  readonly item: string;
  readonly base: number;
  readonly head: number;
  readonly delta: number;
}

/**
 * The items whose cost changes, largest change first: lines are matched by resource and item kind
 * (a node group's "nodes: 4 x c7i" and "nodes: 6 x c8i" are the same item).
 */
export function lineDeltas(base: CostReport, head: CostReport): LineDelta[] {
  const sums = new Map<string, LineDelta>();
  const add = (r: CostReport, side: 'base' | 'head') => {
    for (const e of r.environments) {
      for (const l of e.lines) {
        const item = itemKind(l.type, l.item);
        const key = `${e.env}|${l.urn}|${item}`;
        const cur = sums.get(key) ?? { env: e.env, urn: l.urn, item, base: 0, head: 0, delta: 0 };
        sums.set(key, { ...cur, [side]: cents(cur[side] + l.monthly) });
      }
    }
  };
  add(base, 'base');
  add(head, 'head');
  return [...sums.values()]
    .map((d) => ({ ...d, delta: cents(d.head - d.base) }))
    .filter((d) => d.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

function envDetails(e: EnvironmentCost): string {
  const kinds = largestItems(e);
  const items =
    kinds.length === 0
      ? '_No priced items._'
      : table(
          ['item', 'lines', 'monthly'],
          kinds.map((i) => [i.item, String(i.count), usd(i.monthly)]),
        );
  const unpriced =
    e.unpriced.length > 0
      ? `\n\n${table(
          ['unpriced type', 'resource', 'reason'],
          e.unpriced.map((u) => [u.type, code(shortName(u.urn)), u.reason]),
        )}`
      : '';
  return folded(`${e.env}: ${usd(e.monthly)} / month by item`, `${items}${unpriced}`);
}

/** The cost section: each environment's monthly total with its delta, what changes, then the items. */
export function costBlocks(base: CostReport, head: CostReport, delta: readonly CostDelta[]): Block[] {
  const envs = [...delta].sort((a, b) => byEnvOrder(a.env, b.env));
  const rows = envs.map((d) => {
    const e = head.environments.find((x) => x.env === d.env);
    const top = e
      ? largestItems(e)
          .slice(0, 3)
          .map((i) => `${i.item} ${usd(i.monthly)}`)
          .join('; ')
      : 'removed';
    return [d.env, usd(d.base), usd(d.head), usd(d.delta, true), String(e?.unpriced.length ?? 0), top];
  });
  const totals = table(['env', 'base', 'head', 'delta', 'unpriced', 'largest items (head)'], rows);
  const note = `_On-demand list prices of ${head.priceDate} (${head.currency}, tools/cost/prices.json); \`npm run cost\` prints every line and its assumptions._`;
  const blocks: Block[] = [{ kind: 'fixed', text: `### Monthly cost\n\n${totals}\n\n${note}` }];
  const changed = lineDeltas(base, head);
  if (changed.length > 0) {
    blocks.push(
      tableBlock(
        ['env', 'resource', 'item', 'base', 'head', 'delta'],
        changed.map((d) => [
          d.env,
          code(shortName(d.urn)),
          d.item,
          usd(d.base),
          usd(d.head),
          usd(d.delta, true),
        ]),
        RANK.costLines,
        'the cost changes by item',
        'What changes in cost, largest first:',
      ),
    );
  }
  const assumptions = folded('Assumptions of the estimate', head.assumptions.map((a) => `- ${a}`).join('\n'));
  for (const e of [...head.environments].sort((a, b) => byEnvOrder(a.env, b.env))) {
    blocks.push({
      kind: 'drop',
      text: envDetails(e),
      rank: RANK.costDetails + envWeight(e.env),
      label: `the cost items of ${e.env}`,
    });
  }
  blocks.push({ kind: 'drop', text: assumptions, rank: RANK.costDetails, label: 'the cost assumptions' });
  return blocks;
}
