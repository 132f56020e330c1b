/**
 * The simulator's output: the JSON contract (DESIGN.md §3.7, plus extra fields) and the human
 * report (tables per trace, the RTO by stage, Mermaid `xychart-beta` charts of demand, capacity and
 * pods over time).
 */
import { describeFloor } from '../dr/steps/capacity-plan';
import { markdownTable } from '../lib/progress';
import type { Assumptions } from './assumptions';
import type { Budgets } from './model';
import type { TraceResult, WorkloadResult } from './run';
import type { Sample } from './tracker';

export interface SimulationReport {
  readonly env: string;
  readonly budgets: Budgets;
  readonly traces: readonly TraceResult[];
}

const round = (n: number) => Math.round(n);
/** x-axis labels in minutes: whole minutes when every sample falls on one, else one decimal. */
const minutes = (samples: readonly Sample[]) => {
  const whole = samples.every((s) => s.t % 60 === 0);
  return samples.map((s) => (whole ? String(s.t / 60) : (s.t / 60).toFixed(1))).join(', ');
};

/** `{ env, traces: [{ trace, verdict, rtoSeconds?, workloads: [...] }] }` with extras (tables, stages, findings). */
export function simulationJson(r: SimulationReport): object {
  return {
    env: r.env,
    budgets: r.budgets,
    traces: r.traces.map((t) => ({
      trace: t.trace,
      kind: t.kind,
      verdict: t.verdict,
      budget: t.budget,
      ...(t.advisoryReason ? { advisoryReason: t.advisoryReason } : {}),
      ...(t.prescale ? { prescale: t.prescale } : {}),
      ...(t.rtoSeconds !== undefined ? { rtoSeconds: t.rtoSeconds, rtoStages: t.rtoStages } : {}),
      ...(t.runbookFloors ? { runbookFloors: t.runbookFloors } : {}),
      workloads: t.workloads,
      tables: t.tables,
      findings: t.findings,
    })),
  };
}

function rows(list: readonly WorkloadResult[]): string[][] {
  return list.map((w) => [
    w.workload,
    w.region,
    `${w.timeToCapacitySeconds} s${w.recovered ? '' : ' (not recovered)'}`,
    `${w.breachSeconds} s`,
    w.unitsAboveCapacity.toLocaleString('en-US'),
    String(w.peakPods),
    String(w.peakNodes),
    w.podHoursAboveNeed.toFixed(1),
    `$${w.overProvisionUsd.toFixed(2)}`,
  ]);
}

/** A Mermaid xychart of demand and capacity (lines) of one series of samples. */
export function xychart(title: string, samples: readonly Sample[], unit: string): string {
  const max = Math.max(1, ...samples.flatMap((s) => [s.demand, s.capacity]));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "minutes" [${minutes(samples)}]`,
    `  y-axis "${unit}" 0 --> ${Math.ceil(max * 1.1)}`,
    `  line [${samples.map((s) => round(s.demand)).join(', ')}]`,
    `  line [${samples.map((s) => round(s.capacity)).join(', ')}]`,
    '```',
  ].join('\n');
}

/** A Mermaid xychart of pods (bars) and nodes (line) over time. */
export function podsChart(title: string, samples: readonly Sample[]): string {
  const max = Math.max(1, ...samples.flatMap((s) => [s.pods, s.nodes]));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "minutes" [${minutes(samples)}]`,
    `  y-axis "count" 0 --> ${Math.ceil(max * 1.1)}`,
    `  bar [${samples.map((s) => s.pods).join(', ')}]`,
    `  line [${samples.map((s) => s.nodes).join(', ')}]`,
    '```',
  ].join('\n');
}

const UNITS: Readonly<Record<string, string>> = {
  'scoring-api': 'requests/s',
  'stream-scorer': 'records/s',
  'feedback-worker': 'messages/s',
};

/** The Markdown report of every trace. */
export function renderSimulation(r: SimulationReport, assumptions: Assumptions): string {
  const b = r.budgets;
  const out: string[] = [
    `# Capacity simulation: ${r.env}`,
    '',
    `Budgets (\`risk-platform:simulation\`, ${b.level}): time to capacity <= ${b.timeToCapacitySeconds} s, ` +
      `breach <= ${b.breachSeconds} s per workload and trace; failover RTO <= ${b.rtoSeconds} s (\`dr.rtoSeconds\`).`,
  ];
  const headers = [
    'workload',
    'region',
    'time to capacity',
    'breach',
    'units above capacity',
    'peak pods',
    'peak nodes',
    'pod-hours above need',
    'their cost',
  ];
  for (const t of r.traces) {
    const advisory = t.budget === 'advisory' ? ' (advisory: reported, never fails the command)' : '';
    out.push('', `## ${t.trace} (${t.kind}): ${t.verdict.toUpperCase()}${advisory}`, '');
    if (t.advisoryReason) out.push(`Advisory: ${t.advisoryReason}`, '');
    if (t.prescale)
      out.push(
        `Announced launch: window \`${t.prescale.window}\` opens at ${t.prescale.opensAtSeconds} s; the plan pre-scales ` +
          (t.prescale.workloads.length + t.prescale.tables.length > 0
            ? `${[...t.prescale.workloads, ...t.prescale.tables].join(', ')}.`
            : 'nothing for it (no cron trigger or scheduled action of that window): reactive scaling only.'),
        '',
      );
    out.push(markdownTable(headers, [...rows(t.workloads), ...rows(t.tables)]));
    if (t.rtoStages) {
      out.push('', `Modelled RTO: **${t.rtoSeconds} s** (budget ${b.rtoSeconds} s)`, '');
      out.push(
        markdownTable(
          ['stage', 'seconds'],
          t.rtoStages.map((s) => [s.stage, String(s.seconds)]),
        ),
      );
    }
    if (t.runbookFloors) {
      out.push('', "The runbook's scale-up floors (tools/dr/steps/capacity-plan.ts):", '');
      out.push(
        markdownTable(
          ['floor', 'standby', 'source at t=0', 'planned'],
          t.runbookFloors.map((f) => [
            f.kind === 'pods' ? `${f.key} pods` : `${f.key.replace(':read', '')} reads`,
            String(f.current),
            String(f.source),
            describeFloor(f.floor, f.source),
          ]),
        ),
      );
    }
    if (t.findings.length > 0) out.push('', ...t.findings.map((f) => `- ${f}`));
    const binding = [...t.outcome.outcomes].sort(
      (x, y) => y.timeToCapacitySeconds - x.timeToCapacitySeconds,
    )[0];
    const api = t.outcome.outcomes.find((o) => o.name === 'scoring-api') ?? binding;
    for (const o of binding && binding !== api ? [api, binding] : [api]) {
      if (!o) continue;
      out.push(
        '',
        xychart(
          `${t.trace} ${o.name}: demand (1st line) vs capacity (2nd line)`,
          o.samples,
          UNITS[o.name] ?? 'units/s',
        ),
      );
    }
    if (api) out.push('', podsChart(`${t.trace} ${api.name}: pods (bars), region nodes (line)`, api.samples));
  }
  out.push(
    '',
    '## Assumptions',
    '',
    markdownTable(
      ['assumption', 'value'],
      Object.entries(assumptions).map(([k, v]) => [k, String(v)]),
    ),
  );
  return `${out.join('\n')}\n`;
}
