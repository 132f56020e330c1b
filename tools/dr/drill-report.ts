import { formatMs } from '../lib/progress';
import { DrillResult } from './drill';
import { OperationResult, StepReport } from './runner';
import { describeBacklog } from './source-evidence';

/** The drill's id, or what it was without one: a dry run, or a drill that could not start. */
export function drillLabel(d: Pick<DrillResult, 'drillId' | 'status'>): string {
  return d.drillId ?? (d.status === 'planned' ? '(dry run)' : '(not started)');
}

/**
 * One bar of the drill timeline. Bars are laid end to end from the measured step durations (not
 * wall-clock times: the time between a crash and its resume is not drawn).
 */
export interface GanttBar {
  readonly operation: OperationResult['operation'];
  readonly step: StepReport;
  /** Milliseconds from the start of the drill's first step. */
  readonly startMs: number;
  /** The step's measured duration, rounded; at least 1 ms so that every step stays visible. */
  readonly ms: number;
  /** `crit`: the step failed; `done`: done by an earlier invocation (the drill was resumed). */
  readonly tag?: 'crit' | 'done';
}

/** The drill's halves that ran or were planned: the failover, then the failback if it got that far. */
function halves(d: DrillResult): OperationResult[] {
  return [d.failover, ...(d.failback ? [d.failback] : [])];
}

/** The timeline: one bar per step of each half, in order, each starting where the previous ended. */
export function ganttBars(d: DrillResult): GanttBar[] {
  const bars: GanttBar[] = [];
  let at = 0;
  for (const r of halves(d)) {
    for (const step of r.steps) {
      const ms = Math.max(1, Math.round(step.ms ?? 0));
      const tag = step.status === 'failed' ? 'crit' : step.status === 'done-earlier' ? 'done' : undefined;
      bars.push({ operation: r.operation, step, startMs: at, ms, ...(tag ? { tag } : {}) });
      at += ms;
    }
  }
  return bars;
}

/**
 * Text safe inside a Mermaid gantt statement: `:` ends a task name and `#` and `;` end a title or a
 * section, so they become Mermaid entity codes (`#58;`, `#35;`, `#59;`, rendered as the character);
 * line breaks become spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[:#;]/g, (c) => `#${c.charCodeAt(0)};`);
}

/**
 * The time axis for a chart `totalMs` long: seconds and milliseconds under a minute, else minutes
 * and seconds. Note: the axis is drawn from 0 in the viewer's time zone, so in a zone offset by a
 * fraction of an hour the minutes of `%M:%S` are shifted by that fraction; `%S.%L` never is.
 */
export function axisFormat(totalMs: number): string {
  return totalMs < 60_000 ? '%S.%L s' : '%M:%S';
}

/** The Mermaid gantt chart of the drill: a section per half, a bar per step. */
export function drillGantt(d: DrillResult): string {
  const bars = ganttBars(d);
  const total = bars.reduce((sum, b) => sum + b.ms, 0);
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${mermaidText(`Drill ${drillLabel(d)} on ${d.environment}, ${d.status.toUpperCase()}`)}`,
    '  dateFormat x',
    `  axisFormat ${axisFormat(total)}`,
    '  todayMarker off',
  ];
  for (const r of halves(d)) {
    lines.push(`  section ${mermaidText(`${r.operation} ${r.from} to ${r.to}`)}`);
    for (const b of bars.filter((x) => x.operation === r.operation)) {
      const s = b.step;
      const note =
        s.status === 'pending' || s.status === 'not-run'
          ? ' (not run)'
          : s.status === 'failed'
            ? ' (FAILED)'
            : '';
      const id = `${r.operation}${s.n}`;
      lines.push(
        `  ${mermaidText(`${s.n}. ${s.id} - ${s.title}${note}`)} :${b.tag ? `${b.tag}, ` : ''}${id}, ${b.startMs}, ${b.ms}ms`,
      );
    }
  }
  lines.push('```');
  return lines.join('\n');
}

/** A Markdown table cell: no pipes or line breaks of its own. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const ms = (v: number | undefined) => (v === undefined ? '-' : formatMs(v));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** `2025-06-11T14:23:05.123Z` as `2025-06-11 14:23:05 UTC`. */
function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * The failover's steps up to the flip with the time so far against the RTO target, the DNS TTL, and
 * the RTO (time to flip, wall clock, plus the TTL: issue 16 finding 14); the steps after the flip, the
 * failback, the whole drill and the observed RPO. PASS/FAIL where there is a target.
 */
function measures(d: DrillResult): string {
  const rows: string[][] = [];
  const flipN = d.failover.steps.find((s) => s.id === 'flip')?.n ?? Infinity;
  let sofar = 0;
  for (const s of d.failover.steps) {
    const label = s.n <= flipN ? `RTO: failover.${s.n} ${s.id}` : `after the flip: failover.${s.n} ${s.id}`;
    if (s.ms === undefined) {
      rows.push([label, '-', '-', s.n <= flipN ? formatMs(d.rtoTargetMs) : '-', s.status]);
      continue;
    }
    if (s.n > flipN) {
      rows.push([label, formatMs(s.ms), '-', '-', '-']);
      continue;
    }
    sofar += s.ms;
    rows.push([
      label,
      formatMs(s.ms),
      formatMs(sofar),
      formatMs(d.rtoTargetMs),
      verdict(sofar <= d.rtoTargetMs),
    ]);
  }
  const { timeToFlipMs, dnsTtlMs } = d.failover;
  const flipped = timeToFlipMs !== undefined;
  if (flipped) {
    const gap = timeToFlipMs - sofar;
    if (gap >= 1000)
      rows.push([
        'time between the steps (a crash and its resume)',
        formatMs(gap),
        formatMs(timeToFlipMs),
        '-',
        '-',
      ]);
    rows.push([
      'DNS TTL (resolvers keep the old answer)',
      formatMs(dnsTtlMs ?? 0),
      formatMs(d.rtoMs),
      formatMs(d.rtoTargetMs),
      verdict(d.rtoMs <= d.rtoTargetMs),
    ]);
  }
  rows.push([
    '**RTO (time to flip + DNS TTL)**',
    flipped ? formatMs(d.rtoMs) : 'not reached',
    '-',
    formatMs(d.rtoTargetMs),
    flipped
      ? `**${verdict(d.rtoMs <= d.rtoTargetMs)}**`
      : `**FAIL** (failover ${d.failover.status}, traffic did not flip)`,
  ]);
  rows.push([
    'failback (time to flip + DNS TTL)',
    d.failback?.timeToFlipMs === undefined ? '-' : formatMs(d.failback.rtoMs),
    '-',
    '-',
    '-',
  ]);
  rows.push(['drill total (sum of steps)', formatMs(d.totalMs), '-', '-', '-']);
  rows.push([
    '**RPO (replication latency at cut-over)**',
    d.rpoMs === undefined
      ? '-'
      : d.rpoMs === null
        ? 'unknown (no ReplicationLatency datapoint)'
        : formatMs(d.rpoMs),
    '-',
    formatMs(d.rpoTargetMs),
    d.rpoMs === undefined || d.rpoMs === null ? 'UNKNOWN' : `**${verdict(d.rpoMs <= d.rpoTargetMs)}**`,
  ]);
  if (d.failover.sourceBacklog)
    rows.push([
      'RPO evidence: source backlog at the fence',
      describeBacklog(d.failover.sourceBacklog),
      '-',
      '-',
      '-',
    ]);
  return table(['measure', 'observed', 'RTO so far', 'target', 'result'], rows);
}

function steps(d: DrillResult): string {
  const rows = halves(d).flatMap((r) =>
    r.steps.map((s) => [`${r.operation}.${s.n}`, `\`${s.id}\``, s.title, s.status, ms(s.ms), s.detail ?? '']),
  );
  return table(['step', 'id', 'what', 'status', 'time', 'detail'], rows);
}

/**
 * The drill as a Markdown report: title, Mermaid timeline, measures against the targets, the steps,
 * any force reason and errors, and the stack config command to run next. Deterministic: it reads
 * only the result.
 */
export function drillMarkdown(d: DrillResult): string {
  const planned = d.status === 'planned';
  const out = [
    `# DR drill ${drillLabel(d)} on ${d.environment}: ${d.status.toUpperCase()} (${utc(d.startedAt)})`,
    '',
    `Failover ${d.failover.from} -> ${d.failover.to}, then failback` +
      `${d.failover.resumed || d.failback?.resumed ? '; resumed from the journal after an interruption' : ''}.` +
      ` Started ${utc(d.startedAt)}.`,
    '',
    '## Timeline',
    '',
  ];
  if (planned) {
    out.push('Dry run: nothing ran, so nothing was measured.', '');
  } else {
    out.push(
      drillGantt(d),
      '',
      'One bar per step, laid end to end from its measured duration (a step under 1 ms is drawn 1 ms wide; ' +
        'time between a crash and its resume is not drawn). Red: failed (its time is not measured). ' +
        'Grey: done by an earlier invocation.',
      '',
      '## Measures',
      '',
      measures(d),
      '',
    );
  }
  out.push('## Steps', '', steps(d), '');

  const forced = d.failover.forceReason ?? d.failback?.forceReason;
  if (forced) out.push('## Forced', '', `Preflight was overridden with \`--force\`: ${forced}`, '');
  const errors = halves(d).filter((r) => r.error);
  if (errors.length > 0) {
    out.push('## Errors', '', ...errors.map((r) => `- ${r.operation}: ${r.error}`), '');
  }
  const warnings = halves(d).flatMap((r) => (r.warnings ?? []).map((w) => `- ${r.operation}: ${w}`));
  if (warnings.length > 0) out.push('## Warnings', '', ...warnings, '');
  // The stack config must name where traffic is now: after a whole drill, where it started.
  const next = d.nextAction ? undefined : (d.failback?.activeRegionConfig ?? d.failover.activeRegionConfig);
  if (d.nextAction) out.push('## Next', '', d.nextAction, '');
  if (next?.alreadyConfigured) {
    out.push(
      '## Next',
      '',
      `${next.region} serves, and \`${next.stackFile}\` already names it: nothing to change.`,
      '',
    );
  } else if (next) {
    out.push(
      '## Next',
      '',
      `${next.region} now serves. Make the stack config say so, or the next \`pulumi up\` shrinks it back to ` +
        'standby (the deploy guard, `npm run dr -- guard`, refuses to deploy until they agree):',
      '',
      '```sh',
      next.command,
      '```',
      '',
      `Then commit \`${next.stackFile}\`.`,
      '',
    );
  }
  return out.join('\n');
}
