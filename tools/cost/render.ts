import { markdownTable, textTable } from '../lib/progress';
import { cents, CostReport, EnvironmentCost } from './estimate';

/** Head against base, per environment. */
export interface CostDelta {
  readonly env: string;
  readonly base: number;
  readonly head: number;
  readonly delta: number;
}

export function costDelta(base: CostReport, head: CostReport): CostDelta[] {
  const envs = [...new Set([...head.environments, ...base.environments].map((e) => e.env))];
  const total = (r: CostReport, env: string) => r.environments.find((e) => e.env === env)?.monthly ?? 0;
  return envs.map((env) => {
    const [b, h] = [total(base, env), total(head, env)];
    return { env, base: b, head: h, delta: cents(h - b) };
  });
}

/** `1234.5` as `$1,234.50`; a delta carries its sign. */
export function usd(x: number, signed = false): string {
  const s = `$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return x < 0 ? `-${s}` : signed ? `+${s}` : s;
}

/** The kind of a line item, the same for every resource it prices (all NAT gateways together). */
export function itemKind(type: string, item: string): string {
  if (type.startsWith('aws:dynamodb/')) {
    if (/ reads: /.test(item)) return 'DynamoDB read capacity';
    if (/replicated writes: /.test(item)) return 'DynamoDB replicated write capacity';
    return 'DynamoDB write capacity';
  }
  if (type === 'aws:eks/nodeGroup:NodeGroup')
    return item.startsWith('nodes') ? 'EC2 nodes' : 'node root volumes';
  if (type === 'aws:kinesis/stream:Stream')
    return item.startsWith('extended') ? 'Kinesis extended retention' : 'Kinesis stream';
  if (type === 'aws:ec2/vpcEndpoint:VpcEndpoint') return 'interface endpoints';
  if (item.startsWith('Datadog hosts')) return 'Datadog hosts';
  if (item.startsWith('enhanced fan-out')) return 'Kinesis enhanced fan-out';
  if (item.startsWith('health check')) return 'Route 53 health checks';
  return item;
}

/** The environment's lines merged by item kind, largest first. */
export function largestItems(e: EnvironmentCost): { item: string; monthly: number; count: number }[] {
  const by = new Map<string, { item: string; monthly: number; count: number }>();
  for (const l of e.lines) {
    const k = itemKind(l.type, l.item);
    const cur = by.get(k) ?? { item: k, monthly: 0, count: 0 };
    by.set(k, { item: k, monthly: cents(cur.monthly + l.monthly), count: cur.count + 1 });
  }
  return [...by.values()].sort((a, b) => b.monthly - a.monthly || (a.item < b.item ? -1 : 1));
}

export function renderCostText(report: CostReport, delta?: CostDelta[]): string {
  const out = [`prices of ${report.priceDate} (${report.currency}, on-demand list prices)`];
  for (const e of report.environments) {
    out.push(
      '',
      `${e.env}: ${usd(e.monthly)} / month (${e.stacks.map((s) => `${s.stack} ${usd(s.monthly)}`).join(', ')})`,
    );
    out.push(
      textTable(
        ['stack', 'resource', 'item', 'quantity', 'unit', 'monthly'],
        e.lines.map((l) => [
          l.urn.split('::')[0].slice(11),
          l.urn.split('::').pop() ?? '',
          l.item,
          String(l.quantity),
          l.unit,
          usd(l.monthly),
        ]),
      ),
    );
    for (const u of e.unpriced) out.push(`UNPRICED ${u.type} ${u.urn.split('::').pop()}: ${u.reason}`);
    for (const n of e.notEstimated) out.push(`not estimated: ${n.count} x ${n.type}: ${n.reason}`);
  }
  if (delta) {
    out.push(
      '',
      textTable(
        ['env', 'base', 'head', 'delta'],
        delta.map((d) => [d.env, usd(d.base), usd(d.head), usd(d.delta, true)]),
      ),
    );
  }
  out.push('', 'assumptions:', ...report.assumptions.map((a) => `- ${a}`));
  return out.join('\n');
}

/** The cost section of the PR comment: totals with delta, then each environment's items folded. */
export function renderCostMarkdown(report: CostReport, delta?: CostDelta[]): string {
  const out = ['### Monthly cost', ''];
  const rows = report.environments.map((e) => {
    const d = delta?.find((x) => x.env === e.env);
    const top = largestItems(e)
      .slice(0, 3)
      .map((i) => `${i.item} ${usd(i.monthly)}`)
      .join('; ');
    return [e.env, usd(e.monthly), d ? usd(d.delta, true) : 'n/a', String(e.unpriced.length), top];
  });
  out.push(markdownTable(['env', 'monthly', 'delta vs base', 'unpriced', 'largest items'], rows));
  out.push(
    '',
    `_On-demand list prices of ${report.priceDate} (tools/cost/prices.json). ${report.assumptions.join(' ')}_`,
  );
  for (const e of report.environments) {
    out.push('', `<details><summary>${e.env}: ${usd(e.monthly)} by item</summary>`, '');
    out.push(
      markdownTable(
        ['item', 'lines', 'monthly'],
        largestItems(e).map((i) => [i.item, String(i.count), usd(i.monthly)]),
      ),
    );
    if (e.unpriced.length > 0) {
      out.push(
        '',
        markdownTable(
          ['unpriced type', 'resource', 'reason'],
          e.unpriced.map((u) => [u.type, u.urn.split('::').pop() ?? '', u.reason]),
        ),
      );
    }
    out.push('', '</details>');
  }
  return out.join('\n');
}
