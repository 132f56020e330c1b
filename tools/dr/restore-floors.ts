import { RunbookOutputs } from '../../stacks/outputs';
import { Clients } from './clients';
import { FloorChange, readFloors } from './control/capacity-record';
import { ControlTable } from './control/table';
import { regionOf } from './operation';
import { kubectlSetMin } from './steps/kubectl-min';
import {
  cliSetTableMin,
  floorId,
  floorName,
  readScalableTargets,
  setTableMin,
  TableFloorEntry,
} from './steps/table-floors';

/**
 * Putting the floors back that a scale-up raised (issue 15 finding 26): `dr abort` restores what the
 * run's journal recorded (`journal#<runId>` / `capacity`, ./control/capacity-record.ts), the failback's
 * last step the standby floors the outputs declare for the region that becomes standby.
 *
 * Lowering a scalable target's `MinCapacity` changes no capacity by itself: the table keeps what it has
 * and its target-tracking policy scales in when utilisation allows (the range only bounds it).
 * @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
 *
 * Best-effort: it stops at the first call that fails (that region's API is then likely down for the
 * rest too) and returns the commands for what is left. A floor left raised costs money, not safety.
 */

type Deployment = RunbookOutputs['regions'][string]['workloads']['deployments'][number];

/** One floor to put back. */
export type FloorTarget =
  | {
      readonly kind: 'table';
      readonly entry: Pick<TableFloorEntry, 'resourceId' | 'dimension'>;
      readonly to: number;
    }
  | { readonly kind: 'autoscaler'; readonly d: Deployment; readonly to: number };

export interface RestoreResult {
  /** `prod-features reads MinCapacity 30000->7500`, `ScaledObject/scoring-api minimum 15->4`. */
  readonly restored: readonly string[];
  /** Set when a call failed: why, and the commands for the floors not restored. */
  readonly failed?: { readonly error: string; readonly commands: readonly string[] };
}

const describe = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

function command(outputs: RunbookOutputs, region: string, t: FloorTarget): string {
  return t.kind === 'table'
    ? cliSetTableMin(region, t.entry, t.to)
    : kubectlSetMin(regionOf(outputs, region), t.d, t.to);
}

/** Sets each floor of `region` to its `to`; changes only what differs, tables first. */
export async function restoreFloors(
  deps: { readonly outputs: RunbookOutputs; readonly clients: Clients },
  region: string,
  targets: readonly FloorTarget[],
): Promise<RestoreResult> {
  const r = regionOf(deps.outputs, region);
  const ordered = [
    ...targets.filter((t) => t.kind === 'table'),
    ...targets.filter((t) => t.kind !== 'table'),
  ];
  const restored: string[] = [];
  let i = 0;
  try {
    const tables = ordered.flatMap((t) => (t.kind === 'table' ? [t.entry] : []));
    const now =
      tables.length > 0
        ? await readScalableTargets(deps, region, tables as TableFloorEntry[])
        : new Map<string, { min: number }>();
    const kube = deps.clients.kube(r);
    for (; i < ordered.length; i++) {
      const t = ordered[i];
      if (t.kind === 'table') {
        const have = now.get(floorId(t.entry))?.min;
        if (have === t.to) continue;
        await setTableMin(deps, region, t.entry, t.to);
        restored.push(`${floorName(t.entry)} MinCapacity ${have ?? '?'}->${t.to}`);
      } else {
        const have = await kube.getAutoscalerMin(r.workloads.namespace, t.d.autoscaler);
        if (have === t.to) continue;
        await kube.setAutoscalerMin(r.workloads.namespace, t.d.autoscaler, t.to);
        restored.push(`${t.d.autoscaler.kind}/${t.d.autoscaler.name} minimum ${have}->${t.to}`);
      }
    }
  } catch (err) {
    return {
      restored,
      failed: {
        error: describe(err),
        commands: ordered.slice(i).map((t) => command(deps.outputs, region, t)),
      },
    };
  }
  return { restored };
}

/** The recorded changes of a run as floors to put back to what they were; unknown ids are skipped. */
export function recordedTargets(outputs: RunbookOutputs, region: string, changes: readonly FloorChange[]) {
  const r = regionOf(outputs, region);
  return changes.flatMap((c): FloorTarget[] => {
    if (c.kind === 'table') {
      const [resourceId, dimension] = c.id.split('|');
      return [
        {
          kind: 'table',
          entry: { resourceId, dimension: dimension as TableFloorEntry['dimension'] },
          to: c.previous,
        },
      ];
    }
    const d = r.workloads.deployments.find((x) => `${x.autoscaler.kind}/${x.autoscaler.name}` === c.id);
    return d ? [{ kind: 'autoscaler', d, to: c.previous }] : [];
  });
}

/**
 * `dr abort`: puts back the floors the run's scale-up recorded in its target's journal. Undefined when
 * the run raised none (it stopped before its scale-up, or nothing was below its plan).
 */
export async function restoreRecordedFloors(
  deps: { readonly outputs: RunbookOutputs; readonly clients: Clients },
  journal: ControlTable,
  runId: string,
): Promise<{ region: string; result: RestoreResult } | undefined> {
  const record = await readFloors(journal, runId);
  if (!record || record.changes.length === 0) return undefined;
  const targets = recordedTargets(deps.outputs, record.region, record.changes);
  return { region: record.region, result: await restoreFloors(deps, record.region, targets) };
}

/** The failback's table floors: each scalable target of `region` back to its standby floor. */
export function standbyTableTargets(outputs: RunbookOutputs, region: string): FloorTarget[] {
  return (regionOf(outputs, region).tableCapacity ?? []).map((entry) => ({
    kind: 'table',
    entry,
    to: entry.standbyMinCapacity,
  }));
}
