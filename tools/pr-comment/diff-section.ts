import { Change, ChangeOp, DiffResult, Finding } from '../diff/diff';
import { diffMermaid } from '../diff/render';
import { describeValue } from '../lib/exit-codes';
import { Block } from './fit';
import { byEnvOrder, code, envWeight, shortName, shortType, table, tableBlock } from './markdown';

/** Ranks: lower is cut first (see fit.ts); shared by every section. */
export const RANK = {
  reports: 0,
  costDetails: 1,
  advisories: 2,
  pictures: 3,
  changes: 4,
  simWorkloads: 5,
  costLines: 6,
  mandatory: 7,
  guard: 8,
} as const;

const OPS: readonly ChangeOp[] = ['delete', 'replace', 'update', 'create'];

/** Most consequential first: a table cut from its end keeps deletions and replacements. */
export function bySeverity(a: Change, b: Change): number {
  return (
    OPS.indexOf(a.op) - OPS.indexOf(b.op) ||
    Number(b.stateful) - Number(a.stateful) ||
    (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)
  );
}

export function opCounts(changes: readonly Change[]): string {
  return ['create', 'update', 'replace', 'delete']
    .map((op) => `${changes.filter((c) => c.op === op).length} to ${op}`)
    .join(', ');
}

function changedInputs(c: Change): string {
  if (c.op === 'create') return '(new resource)';
  if (c.op === 'delete') return '(removed from the plan)';
  if (c.matchedBy === 'rename') return `renamed from ${code(shortName(c.from ?? ''))} without an alias`;
  const moved = c.matchedBy ? `${c.matchedBy} from ${code(c.from ?? '')}; ` : '';
  return (
    moved +
    c.details
      .map(
        (d) =>
          `${code(d.path)}${d.forcesReplace ? ' **(forces replace)**' : ''}: ${describeValue(d.old)} → ${describeValue(d.new)}`,
      )
      .join('; ')
  );
}

/** The guard's verdict on one finding, as the comment shows it. */
export function guardVerdict(f: Finding): string {
  if (f.level === 'advisory') return f.acknowledged ? 'advisory, acknowledged' : 'advisory';
  return f.acknowledged ? 'acknowledged' : '**BLOCKED**';
}

const findingOrder = (f: Finding) => (f.level === 'mandatory' ? (f.acknowledged ? 1 : 0) : 2);

/**
 * The diff section: a summary, the stateful guard's verdict with every stateful (and serving)
 * deletion or replacement, then per environment the counts per stack, a picture and the changes.
 */
export function diffBlocks(diff: DiffResult): Block[] {
  const blocks: Block[] = [];
  const { changes, findings } = diff;
  const envs = [...new Set(changes.map((c) => c.env))].sort(byEnvOrder);
  const summary =
    changes.length === 0
      ? 'No resource changes against the base branch.'
      : `${changes.length} change(s) in ${envs.length} environment(s): ${opCounts(changes)}.`;
  blocks.push({ kind: 'fixed', text: `### Changes against the base branch\n\n${summary}` });

  const blocked = findings.filter((f) => f.level === 'mandatory' && !f.acknowledged);
  const acked = findings.filter((f) => f.level === 'mandatory' && f.acknowledged);
  const verdict =
    blocked.length > 0
      ? `**Stateful guard: BLOCKED.** ${blocked.length} resource(s) that hold data would be deleted or replaced without an acknowledgement in \`acknowledged-replacements.json\`: \`npm run diff\` exits 1 and this check fails.`
      : `**Stateful guard: PASS.** ${acked.length > 0 ? `${acked.length} deletion(s)/replacement(s) of data-holding resources, each acknowledged.` : 'No resource that holds data is deleted or replaced.'}`;
  blocks.push({ kind: 'fixed', text: verdict });
  if (findings.length > 0) {
    const rows = [...findings]
      .sort((a, b) => findingOrder(a) - findingOrder(b) || (a.urn < b.urn ? -1 : 1))
      .map((f) => [
        guardVerdict(f),
        f.op,
        shortType(f.type),
        code(shortName(f.urn)),
        f.acknowledged && f.reason ? `${f.message}; reason: ${f.reason}` : f.message,
      ]);
    blocks.push(
      tableBlock(['guard', 'op', 'type', 'resource', 'why'], rows, RANK.guard, 'the stateful guard findings'),
    );
  }

  for (const env of envs) {
    const cs = changes.filter((c) => c.env === env).sort(bySeverity);
    const stacks = [...new Set(cs.map((c) => c.stack))].sort();
    const perStack = table(
      ['stack', 'create', 'update', 'replace', 'delete'],
      stacks.map((s) => [
        s,
        ...(['create', 'update', 'replace', 'delete'] as const).map((op) =>
          String(cs.filter((c) => c.stack === s && c.op === op).length),
        ),
      ]),
    );
    blocks.push({ kind: 'fixed', text: `#### ${env}: ${opCounts(cs)}\n\n${perStack}` });
    blocks.push({
      kind: 'drop',
      text: diffMermaid(cs),
      rank: RANK.pictures + envWeight(env),
      label: `the picture of the changes in ${env}`,
    });
    blocks.push(
      tableBlock(
        ['op', 'stack', 'type', 'resource', 'changed inputs (old → new)'],
        cs.map((c) => [
          c.stateful && (c.op === 'delete' || c.op === 'replace') ? `**${c.op}** (holds data)` : c.op,
          c.stack,
          shortType(c.type),
          code(shortName(c.urn)),
          changedInputs(c),
        ]),
        RANK.changes + envWeight(env),
        `the changes in ${env}`,
      ),
    );
  }
  return blocks;
}
