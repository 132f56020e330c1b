import { describeValue } from '../lib/exit-codes';
import { markdownTable, textTable } from '../lib/progress';
import { Change, DiffResult, Finding } from './diff';

const OPS = ['create', 'update', 'replace', 'delete'] as const;

/** The last segment of a URN: the resource's logical name. */
export function shortName(urn: string): string {
  return urn.split('::').pop() ?? urn;
}

function shortType(type: string): string {
  return type.split(':').pop() ?? type;
}

function counts(changes: readonly Change[]): string {
  return OPS.map((op) => `${changes.filter((c) => c.op === op).length} to ${op}`).join(', ');
}

function detailText(c: Change): string {
  if (c.matchedBy === 'rename') return `renamed from ${shortName(c.from ?? '')} without an alias`;
  const moved = c.matchedBy ? `${c.matchedBy} from ${c.from}; ` : '';
  return (
    moved +
    c.details
      .map(
        (d) =>
          `${d.path}${d.forcesReplace ? ' (forces replace)' : ''}: ${describeValue(d.old)} -> ${describeValue(d.new)}`,
      )
      .join('; ')
  );
}

function findingRow(f: Finding): string[] {
  const level = f.acknowledged ? `${f.level}, acknowledged` : f.level;
  return [level, f.op, shortName(f.urn), f.acknowledged ? `${f.message} — reason: ${f.reason}` : f.message];
}

/** The terminal report: counts per environment, one line per change, then the findings. */
export function renderDiffText(result: DiffResult): string {
  const envs = [...new Set(result.changes.map((c) => c.env))];
  const lines: string[] = [];
  if (result.changes.length === 0) lines.push('no changes');
  for (const env of envs) {
    const cs = result.changes.filter((c) => c.env === env);
    lines.push(`${env}: ${counts(cs)}`);
    lines.push(
      textTable(
        ['op', 'stack', 'type', 'resource', 'changes'],
        cs.map((c) => [c.op, c.stack, shortType(c.type), shortName(c.urn), detailText(c)]),
      ),
      '',
    );
  }
  if (result.findings.length > 0) {
    lines.push(
      'findings:',
      textTable(['level', 'op', 'resource', 'message'], result.findings.map(findingRow)),
    );
  }
  return lines.join('\n');
}

const MERMAID_LIMIT = 40;

/** A Mermaid picture of the changed resources, grouped by stack and region. */
export function diffMermaid(changes: readonly Change[]): string {
  const shown = changes.slice(0, MERMAID_LIMIT);
  const groups = new Map<string, Change[]>();
  for (const c of shown) groups.set(c.stack, [...(groups.get(c.stack) ?? []), c]);
  const out = ['```mermaid', 'flowchart LR'];
  let n = 0;
  for (const [stack, cs] of groups) {
    out.push(`  subgraph ${JSON.stringify(stack)}`);
    for (const c of cs)
      out.push(
        `    n${n++}["${c.op}: ${shortType(c.type)} ${shortName(c.urn).replace(/"/g, "'")}"]:::${c.op}`,
      );
    out.push('  end');
  }
  out.push(
    '  classDef create fill:#d4f7d4',
    '  classDef update fill:#fff3c4',
    '  classDef replace fill:#ffd8a8',
    '  classDef delete fill:#ffc9c9',
    '```',
  );
  if (changes.length > MERMAID_LIMIT) out.push(`_${changes.length - MERMAID_LIMIT} more changes not drawn._`);
  return out.join('\n');
}

/** The diff section of the PR comment: per environment counts, a picture, the changes table, findings. */
export function renderDiffMarkdown(result: DiffResult): string {
  const out: string[] = ['### Changes against the base branch'];
  if (result.changes.length === 0) out.push('', 'No resource changes.');
  const envs = [...new Set(result.changes.map((c) => c.env))];
  for (const env of envs) {
    const cs = result.changes.filter((c) => c.env === env);
    out.push('', `#### ${env}: ${counts(cs)}`, '', diffMermaid(cs), '');
    out.push(
      markdownTable(
        ['op', 'stack', 'type', 'resource', 'changed inputs (old → new)'],
        cs.map((c) => [c.op, c.stack, shortType(c.type), `\`${shortName(c.urn)}\``, detailText(c)]),
      ),
    );
  }
  out.push('', '### Findings');
  if (result.findings.length === 0) out.push('', 'No stateful resource is deleted or replaced.');
  else out.push('', markdownTable(['level', 'op', 'resource', 'message'], result.findings.map(findingRow)));
  return out.join('\n');
}
