import { Acknowledgement } from './acknowledgements';
import { envOf, PlanRecord, stackOf, urnWithoutStack } from './load';
import { diffProps, PathChange } from './props-diff';
import { forcesReplace, SERVING_TYPES, STATEFUL_TYPES } from './replace-inputs';

export type ChangeOp = 'create' | 'delete' | 'update' | 'replace';

/** One changed resource (DESIGN.md §3.5: `urn`, `type`, `op`, `stateful`, `paths`). */
export interface Change {
  readonly urn: string;
  readonly type: string;
  readonly op: ChangeOp;
  readonly stateful: boolean;
  /** The changed input paths (update, replace). */
  readonly paths: string[];
  readonly env: string;
  readonly stack: string;
  /** Old and new value of each changed path; secrets masked. */
  readonly details: (PathChange & { readonly forcesReplace: boolean })[];
  /** The base URN this resource was matched to, when it differs (rename, alias, stack move). */
  readonly from?: string;
  /** Why it was matched to `from`. */
  readonly matchedBy?: 'alias' | 'rename' | 'stack-move';
}

export interface Finding {
  readonly level: 'mandatory' | 'advisory';
  readonly urn: string;
  readonly type: string;
  readonly op: ChangeOp;
  readonly acknowledged: boolean;
  readonly message: string;
  readonly reason?: string;
}

export interface DiffResult {
  readonly changes: Change[];
  readonly findings: Finding[];
}

/** Physical identity of a resource, where it has one: what AWS or Kubernetes names it by. */
export function physicalName(r: PlanRecord): string | undefined {
  const p = r.props;
  const str = (...vs: unknown[]) => (vs.every((v) => typeof v === 'string') ? vs.join('|') : undefined);
  const region = r.region ?? 'global';
  let key: string | undefined;
  if (r.type.startsWith('kubernetes:')) {
    const meta = (p.metadata ?? {}) as Record<string, unknown>;
    key = str(p.kind, meta.namespace ?? '', meta.name);
  } else if (r.type === 'aws:eks/nodeGroup:NodeGroup') key = str(p.clusterName, p.nodeGroupName);
  else if (r.type === 'aws:dynamodb/tableReplica:TableReplica') key = str(p.globalTableArn);
  else if (r.type === 'aws:kms/replicaKey:ReplicaKey') key = str(p.primaryKeyArn);
  else if (r.type === 'aws:appautoscaling/target:Target') key = str(p.resourceId, p.scalableDimension);
  else if (r.type === 'aws:route53/record:Record') key = str(p.zoneId, p.name, p.type, p.setIdentifier ?? '');
  else key = str(p.name);
  return key === undefined ? undefined : `${r.type}|${region}|${key}`;
}

function compare(base: PlanRecord, head: PlanRecord): Omit<Change, 'from' | 'matchedBy'> | undefined {
  const changed = diffProps(base.props, head.props);
  const typeChanged = base.type !== head.type;
  if (changed.length === 0 && !typeChanged) return undefined;
  const details = changed.map((c) => ({ ...c, forcesReplace: forcesReplace(head.type, c.path) }));
  const replace = typeChanged || details.some((d) => d.forcesReplace);
  return {
    urn: head.urn,
    type: head.type,
    op: replace ? 'replace' : 'update',
    stateful: STATEFUL_TYPES.has(head.type),
    paths: details.map((d) => d.path),
    env: envOf(head.urn),
    stack: stackOf(head.urn),
    details,
  };
}

function lone(r: PlanRecord, op: 'create' | 'delete'): Change {
  return {
    urn: r.urn,
    type: r.type,
    op,
    stateful: STATEFUL_TYPES.has(r.type),
    paths: [],
    env: envOf(r.urn),
    stack: stackOf(r.urn),
    details: [],
  };
}

/**
 * Compares two plans by URN. A head resource whose `aliases` name a vanished base URN is that
 * resource; one that only changed stack within its environment is too (a `pulumi state move`); one
 * that vanished while another of the same type and physical name appeared is a rename without an
 * alias, which Pulumi carries out as create-then-delete: a replace.
 */
export function diffPlans(
  base: readonly PlanRecord[],
  head: readonly PlanRecord[],
  acks: readonly Acknowledgement[] = [],
): DiffResult {
  const baseBy = new Map(base.map((r) => [r.urn, r]));
  const headBy = new Map(head.map((r) => [r.urn, r]));
  const gone = new Map([...baseBy].filter(([urn]) => !headBy.has(urn)));
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const fresh: PlanRecord[] = [];

  for (const h of head) {
    const b = baseBy.get(h.urn);
    if (b) {
      const c = compare(b, h);
      if (c) changes.push(c);
      continue;
    }
    fresh.push(h);
  }
  const pair = (h: PlanRecord, b: PlanRecord, matchedBy: NonNullable<Change['matchedBy']>) => {
    gone.delete(b.urn);
    const c = compare(b, h);
    if (matchedBy === 'rename') {
      const renamed = c ?? { ...lone(h, 'create'), details: [] };
      changes.push({ ...renamed, op: 'replace', from: b.urn, matchedBy });
    } else if (c) changes.push({ ...c, from: b.urn, matchedBy });
    if (matchedBy === 'stack-move') {
      findings.push({
        level: 'advisory',
        urn: h.urn,
        type: h.type,
        op: c?.op ?? 'update',
        acknowledged: false,
        message: `moves from stack ${stackOf(b.urn)} to ${stackOf(h.urn)}: run \`pulumi state move\` before the update, or the old stack deletes it and the new one creates it`,
      });
    }
  };
  const unmatched: PlanRecord[] = [];
  for (const h of fresh) {
    const alias = h.aliases?.find((a) => gone.has(a));
    const moved = [...gone.values()].find(
      (b) => envOf(b.urn) === envOf(h.urn) && urnWithoutStack(b.urn) === urnWithoutStack(h.urn),
    );
    if (alias) pair(h, gone.get(alias)!, 'alias');
    else if (moved) pair(h, moved, 'stack-move');
    else unmatched.push(h);
  }
  const goneByName = new Map<string, PlanRecord>();
  for (const b of gone.values()) {
    const key = physicalName(b);
    if (key) goneByName.set(key, b);
  }
  for (const h of unmatched) {
    const key = physicalName(h);
    const b = key ? goneByName.get(key) : undefined;
    if (b && gone.has(b.urn)) pair(h, b, 'rename');
    else changes.push(lone(h, 'create'));
  }
  for (const b of gone.values()) changes.push(lone(b, 'delete'));

  const ackBy = new Map(acks.map((a) => [a.urn, a]));
  for (const c of changes) {
    if (c.op !== 'delete' && c.op !== 'replace') continue;
    const ack = ackBy.get(c.urn) ?? (c.from ? ackBy.get(c.from) : undefined);
    const what = c.op === 'delete' ? 'deletes' : 'replaces';
    const why =
      c.matchedBy === 'rename'
        ? ` (renamed from ${c.from} without an alias)`
        : c.op === 'replace'
          ? ` (${
              c.details
                .filter((d) => d.forcesReplace)
                .map((d) => d.path)
                .join(', ') || 'type changed'
            })`
          : '';
    if (c.stateful) {
      findings.push({
        level: 'mandatory',
        urn: c.urn,
        type: c.type,
        op: c.op,
        acknowledged: ack !== undefined,
        message: `${what} a resource that holds data${why}: its data is lost unless acknowledged in acknowledged-replacements.json`,
        ...(ack ? { reason: ack.reason } : {}),
      });
    } else if (SERVING_TYPES.has(c.type)) {
      findings.push({
        level: 'advisory',
        urn: c.urn,
        type: c.type,
        op: c.op,
        acknowledged: ack !== undefined,
        message: `${what} a resource that serves or routes traffic${why}`,
        ...(ack ? { reason: ack.reason } : {}),
      });
    }
  }
  changes.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { changes, findings };
}

/** True when a finding blocks the change: a stateful delete or replace nobody acknowledged. */
export function blocks(result: DiffResult): boolean {
  return result.findings.some((f) => f.level === 'mandatory' && !f.acknowledged);
}
