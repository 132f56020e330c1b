import { AuditRecord, Journal } from '../control/journal';
import { ControlTable } from '../control/table';
import { DrillResult } from '../drill';
import { LocalEnvironment } from './harness';

export interface AuditCheck {
  readonly ok: boolean;
  readonly records: number;
  /** Steps whose audit record count is not exactly one, e.g. `failover.5 x2`. */
  readonly problems: string[];
}

/** Checks that the audit log of a drill's two runs holds every step exactly once. */
export async function checkDrillAudit(env: LocalEnvironment, drill: DrillResult): Promise<AuditCheck> {
  const problems: string[] = [];
  let records = 0;
  for (const r of [drill.failover, drill.failback]) {
    if (!r?.runId) continue;
    const control = new ControlTable(
      env.clients().dynamodb(r.to),
      env.outputs.regions[r.to].tables.control.name,
      r.to,
    );
    // Step records only: a resume's preflight re-run has its own record (`preflight-recheck`, no `n`).
    const audit: AuditRecord[] = (await new Journal(control).audit()).filter(
      (a) => a.runId === r.runId && a.n !== undefined,
    );
    records += audit.length;
    for (const s of r.steps) {
      const count = audit.filter((a) => a.n === s.n).length;
      if (count !== 1) problems.push(`${r.operation}.${s.n} (${s.id}) x${count}`);
    }
  }
  return { ok: problems.length === 0, records, problems };
}
