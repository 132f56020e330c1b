import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { EnvironmentConfig, parseEnvironmentConfig } from '../../stacks/config/load';
import { ENVIRONMENTS_DIR, readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { physicalNames } from '../../stacks/naming';
import { RunbookOutputs } from '../../stacks/outputs';
import { UsageError } from '../lib/exit-codes';
import { ACTIVE_REGION_KEY, activeRegionCommand } from './active-region';
import { Clients } from './clients';
import { ActiveRegionRecord, readActiveRegion } from './control/fence';
import { Journal, RunRecord } from './control/journal';
import type { OpenDrillRecord } from './drill';
import { keys } from './control/keys';
import { ControlTable } from './control/table';

/**
 * The pre-deploy guard (`dr guard`): the stack config's `dr.activeRegion` must name the region the
 * live control table says is serving, or a `pulumi up` would shrink the serving region to standby.
 */

/** One region's copy of the active-region record, or why it could not be read. */
export interface GuardRead {
  readonly region: string;
  readonly ok: boolean;
  /** The record's active region; null when the region holds no record. */
  readonly activeRegion?: string | null;
  /** An unfinished runbook run journaled in this region's control table. */
  readonly openRun?: Pick<RunRecord, 'runId' | 'operation' | 'from' | 'to' | 'startedAt' | 'owner'>;
  /** An unfinished drill recorded in this region's control table (`to`: its failover target). */
  readonly openDrill?: Pick<OpenDrillRecord, 'drillId' | 'startedAt' | 'from' | 'to'>;
  /** The region has no control table (a stack whose first `up` never created it). */
  readonly noTable?: boolean;
  readonly error?: string;
}

export interface GuardResult {
  readonly kind: 'guard';
  readonly environment: string;
  /**
   * `agree`: config and live record name the same region. `no-record`: nothing to compare with
   * (first deploy, or no failover ever). `disagree`: refuse the deploy. `unreadable`: no region's
   * control table answered; refuse (fail closed). `run-open`: a runbook run (or drill) is unfinished
   * in the journal; refuse until it is resumed to completion. `one-region`: only a region other than
   * the config's active region answered, and its copy may be stale; refuse (`--allow-one-region`
   * overrides).
   */
  readonly status: 'agree' | 'no-record' | 'disagree' | 'unreadable' | 'run-open' | 'one-region';
  /** `--allow-one-region` was given (and used, when only one region answered). */
  readonly allowOneRegion?: boolean;
  /** `dr.activeRegion` of the stack config (the primary region when unset). */
  readonly configActiveRegion: string;
  /** Whether the config sets the key, or relies on the default (the primary region). */
  readonly configExplicit: boolean;
  /** The stack file read. */
  readonly configSource: string;
  /** The live record (the newest of the copies read); absent when there is none. */
  readonly record?: ActiveRegionRecord;
  /** Each region's read, the config's active region first. */
  readonly reads: readonly GuardRead[];
  readonly message: string;
  /** When refused for a disagreement: the exact command that makes the config agree. */
  readonly fix?: string;
}

/** Reads and validates `<dir>/Pulumi.<env>.yaml` the way Pulumi hands it to the program. */
export function readEnvironmentConfig(
  env: string,
  dir = ENVIRONMENTS_DIR,
): { config: EnvironmentConfig; source: string; explicit: boolean } {
  const file = stackFilePath(env, dir);
  if (!existsSync(file)) {
    throw new UsageError('--env', env, `an environment with a stack file (${file} does not exist)`);
  }
  const { values, secretKeys } = readStackFile(file);
  const config = parseEnvironmentConfig(values, { stack: env, isSecret: (k) => secretKeys.includes(k) });
  const dr = JSON.parse(values['risk-platform:dr'] ?? '{}') as { activeRegion?: unknown };
  const source = relative(process.cwd(), file) || file;
  return { config, source, explicit: dr.activeRegion !== undefined };
}

const describeRecord = (r: ActiveRegionRecord) =>
  `${r.activeRegion} (written by ${r.operation} run ${r.runId} at ${r.updatedAt})`;

const describeError = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

/**
 * Compares the config's active region with the live record. Reads every region's copy of the record
 * (the config's active region first); when both answer the newest record wins (replication lag during
 * an outage). When only one answers, its copy is trusted only if it is the config's active region (a
 * region's own record is authoritative for itself); otherwise the guard refuses (`one-region`) unless
 * `allowOneRegion`. `outputs` undefined (the stack has no outputs: never deployed, or its first `up`
 * failed) reads the control table by its deterministic name (stacks/naming.ts) in the config's
 * regions: a region without the table counts as holding no record.
 */
export async function runGuard(input: {
  readonly config: EnvironmentConfig;
  readonly configSource: string;
  readonly configExplicit: boolean;
  readonly outputs: RunbookOutputs | undefined;
  readonly clients?: (outputs: RunbookOutputs | undefined) => Clients;
  /** `--allow-one-region`: accept one answering region's copy even when it is not the active region. */
  readonly allowOneRegion?: boolean;
}): Promise<GuardResult> {
  const { config, outputs } = input;
  const env = config.environment;
  const configured = config.activeRegion;
  const base = {
    kind: 'guard' as const,
    environment: env,
    configActiveRegion: configured,
    configExplicit: input.configExplicit,
    configSource: input.configSource,
    ...(input.allowOneRegion ? { allowOneRegion: true } : {}),
  };
  if (!input.clients) {
    return {
      ...base,
      status: 'no-record',
      reads: [],
      message: `stack ${env} has no outputs yet (first deploy): no active-region record to compare with; deploying with ${ACTIVE_REGION_KEY} = ${configured}`,
    };
  }
  const clients = input.clients(outputs);
  const tableName = (region: string) =>
    outputs ? outputs.regions[region].tables.control.name : physicalNames(env).controlTable;
  const regions = (outputs ? Object.keys(outputs.regions) : config.sites.map((s) => s.region)).sort(
    (a, b) => Number(b === configured) - Number(a === configured),
  );
  const copies = await Promise.all(
    regions.map(async (region): Promise<GuardRead & { record?: ActiveRegionRecord }> => {
      try {
        const table = new ControlTable(clients.dynamodb(region), tableName(region), region);
        const [record, run, drill] = await Promise.all([
          readActiveRegion(table),
          new Journal(table).openRun(),
          table.get<OpenDrillRecord>(keys.openDrill()),
        ]);
        return {
          region,
          ok: true,
          activeRegion: record?.activeRegion ?? null,
          record,
          ...(run && run.status === 'running'
            ? {
                openRun: {
                  runId: run.runId,
                  operation: run.operation,
                  from: run.from,
                  to: run.to,
                  startedAt: run.startedAt,
                  owner: run.owner,
                },
              }
            : {}),
          ...(drill
            ? {
                openDrill: {
                  drillId: drill.drillId,
                  startedAt: drill.startedAt,
                  ...(drill.from ? { from: drill.from } : {}),
                  ...(drill.to ? { to: drill.to } : {}),
                },
              }
            : {}),
        };
      } catch (err) {
        // No outputs: the table may never have been created (a failed first `up`): no record there.
        if (!outputs && (err as Error).name === 'ResourceNotFoundException') {
          return { region, ok: true, activeRegion: null, noTable: true };
        }
        return { region, ok: false, error: describeError(err) };
      }
    }),
  );
  const reads = copies.map(({ record: _r, ...read }) => read);
  const answered = copies.filter((c) => c.ok);
  if (answered.length === 0) {
    return {
      ...base,
      status: 'unreadable',
      reads,
      message:
        `could not read the active-region record of ${env} in any region (${reads.map((r) => `${r.region}: ${r.error}`).join('; ')}); ` +
        'refusing to deploy without knowing which region serves (check the credentials, then re-run)',
    };
  }
  const open = openRunMessage(env, answered);
  if (open) {
    return {
      ...base,
      status: 'run-open',
      reads,
      message: `${open}. A pulumi up now would fight the runbook over the autoscaler minimums and routing; refusing to deploy until the run is finished.`,
    };
  }
  const only = answered.length === 1 && copies.length > 1 ? answered[0].region : undefined;
  if (only !== undefined && only !== configured && !input.allowOneRegion) {
    const down = reads.filter((r) => !r.ok).map((r) => `${r.region}: ${r.error}`);
    return {
      ...base,
      status: 'one-region',
      reads,
      message:
        `only ${only} answered (${down.join('; ')}); ${only}'s copy of the active-region record may be stale ` +
        `(replication from ${configured} may lag), and only ${configured}, the config's active region, is authoritative for itself. ` +
        `Refusing to deploy on one region's possibly stale copy: retry when ${configured} answers, or re-run with --allow-one-region to accept ${only}'s copy deliberately.`,
    };
  }
  const oneRegionNote =
    only !== undefined && only !== configured
      ? ` [--allow-one-region: accepted ${only}'s copy alone; ${reads
          .filter((r) => !r.ok)
          .map((r) => r.region)
          .join(', ')} did not answer]`
      : '';
  const record = answered
    .map((c) => c.record)
    .filter((r): r is ActiveRegionRecord => r !== undefined)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  const via = answered.map((c) => c.region).join(' and ');
  if (!record) {
    const without = answered.filter((c) => c.noTable).map((c) => c.region);
    return {
      ...base,
      status: 'no-record',
      reads,
      message: !outputs
        ? `stack ${env} has no outputs (first deploy, or its first up failed) and ${
            without.length === answered.length
              ? `no control table ${physicalNames(env).controlTable} exists (looked in ${via})`
              : `its control table ${physicalNames(env).controlTable} holds no active-region record (read via ${via}${without.length ? `; none in ${without.join(', ')}` : ''})`
          }: nothing to compare with; deploying with ${ACTIVE_REGION_KEY} = ${configured}${oneRegionNote}`
        : `no active-region record in the control table (read via ${via}): the runbook has never moved traffic; deploying with ${ACTIVE_REGION_KEY} = ${configured}${oneRegionNote}`,
    };
  }
  if (record.activeRegion === configured) {
    return {
      ...base,
      status: 'agree',
      record,
      reads,
      message: `${ACTIVE_REGION_KEY} = ${configured} agrees with the live record ${describeRecord(record)} (read via ${via})${oneRegionNote}`,
    };
  }
  const fix = activeRegionCommand(env, record.activeRegion);
  return {
    ...base,
    status: 'disagree',
    record,
    reads,
    fix,
    message:
      `the control table (read via ${via}) says ${env} is served from ${describeRecord(record)}, but ${input.configSource} ` +
      `has ${ACTIVE_REGION_KEY} = ${configured}${input.configExplicit ? '' : ' (unset: the primary region)'}. ` +
      `A pulumi up now would shrink ${record.activeRegion}, the serving region, to its standby minimums. ` +
      `Make the config agree, commit it, then deploy again:\n  ${fix}\n  then commit ${input.configSource}${oneRegionNote}`,
  };
}

/** Why an unfinished run or drill blocks the deploy, and the exact command that resumes it. */
function openRunMessage(env: string, reads: readonly GuardRead[]): string | undefined {
  const drill = reads.find((r) => r.openDrill);
  if (drill?.openDrill) {
    return (
      `drill ${drill.openDrill.drillId} (started ${drill.openDrill.startedAt}${
        drill.openDrill.from && drill.openDrill.to
          ? `, failover ${drill.openDrill.from} -> ${drill.openDrill.to}`
          : ''
      }) is unfinished in ${drill.region}'s control table; ` +
      // The record is replicated: the region it was read in is not necessarily the drill's target.
      `resume it with: npm run dr -- drill --env ${env} --to ${drill.openDrill.to ?? drill.region} --yes`
    );
  }
  const run = reads.find((r) => r.openRun);
  if (run?.openRun) {
    const r = run.openRun;
    return (
      `runbook run ${r.runId} (${r.operation} ${r.from} -> ${r.to}, started ${r.startedAt} by ${r.owner}) is unfinished in ${run.region}'s control table; ` +
      `resume it with: npm run dr -- ${r.operation} --env ${env} --to ${r.to}`
    );
  }
  return undefined;
}
