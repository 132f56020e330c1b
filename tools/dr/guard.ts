import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { EnvironmentConfig, parseEnvironmentConfig } from '../../stacks/config/load';
import { ENVIRONMENTS_DIR, readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { RunbookOutputs } from '../../stacks/outputs';
import { UsageError } from '../lib/exit-codes';
import { ACTIVE_REGION_KEY, activeRegionCommand } from './active-region';
import { Clients } from './clients';
import { ActiveRegionRecord, readActiveRegion } from './control/fence';
import { Journal, RunRecord } from './control/journal';
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
  /** An unfinished drill recorded in this region's control table. */
  readonly openDrill?: { readonly drillId: string; readonly startedAt: string };
  readonly error?: string;
}

export interface GuardResult {
  readonly kind: 'guard';
  readonly environment: string;
  /**
   * `agree`: config and live record name the same region. `no-record`: nothing to compare with
   * (first deploy, or no failover ever). `disagree`: refuse the deploy. `unreadable`: no region's
   * control table answered; refuse (fail closed). `run-open`: a runbook run (or drill) is unfinished
   * in the journal; refuse until it is resumed to completion.
   */
  readonly status: 'agree' | 'no-record' | 'disagree' | 'unreadable' | 'run-open';
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

/**
 * Compares the config's active region with the live record. Reads every region's copy of the record
 * (the config's active region first): one answer is enough (an impaired region falls back to the
 * other), and when both answer the newest record wins (replication lag during an outage).
 * `outputs` undefined means the stack has never been deployed: nothing to compare with.
 */
export async function runGuard(input: {
  readonly config: EnvironmentConfig;
  readonly configSource: string;
  readonly configExplicit: boolean;
  readonly outputs: RunbookOutputs | undefined;
  readonly clients?: (outputs: RunbookOutputs) => Clients;
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
  };
  if (!outputs || !input.clients) {
    return {
      ...base,
      status: 'no-record',
      reads: [],
      message: `stack ${env} has no outputs yet (first deploy): no active-region record to compare with; deploying with ${ACTIVE_REGION_KEY} = ${configured}`,
    };
  }
  const clients = input.clients(outputs);
  const regions = Object.keys(outputs.regions).sort(
    (a, b) => Number(b === configured) - Number(a === configured),
  );
  const copies = await Promise.all(
    regions.map(async (region): Promise<GuardRead & { record?: ActiveRegionRecord }> => {
      try {
        const table = new ControlTable(
          clients.dynamodb(region),
          outputs.regions[region].tables.control.name,
          region,
        );
        const [record, run, drill] = await Promise.all([
          readActiveRegion(table),
          new Journal(table).openRun(),
          table.get<{ drillId: string; startedAt: string }>(keys.openDrill()),
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
          ...(drill ? { openDrill: { drillId: drill.drillId, startedAt: drill.startedAt } } : {}),
        };
      } catch (err) {
        return {
          region,
          ok: false,
          error: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`,
        };
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
  const record = answered
    .map((c) => c.record)
    .filter((r): r is ActiveRegionRecord => r !== undefined)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  const via = answered.map((c) => c.region).join(' and ');
  if (!record) {
    return {
      ...base,
      status: 'no-record',
      reads,
      message: `no active-region record in the control table (read via ${via}): the runbook has never moved traffic; deploying with ${ACTIVE_REGION_KEY} = ${configured}`,
    };
  }
  if (record.activeRegion === configured) {
    return {
      ...base,
      status: 'agree',
      record,
      reads,
      message: `${ACTIVE_REGION_KEY} = ${configured} agrees with the live record ${describeRecord(record)} (read via ${via})`,
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
      `Make the config agree, commit it, then deploy again:\n  ${fix}\n  then commit ${input.configSource}`,
  };
}

/** Why an unfinished run or drill blocks the deploy, and the exact command that resumes it. */
function openRunMessage(env: string, reads: readonly GuardRead[]): string | undefined {
  const drill = reads.find((r) => r.openDrill);
  if (drill?.openDrill) {
    return (
      `drill ${drill.openDrill.drillId} (started ${drill.openDrill.startedAt}) is unfinished in ${drill.region}'s control table; ` +
      `resume it with: npm run dr -- drill --env ${env} --to ${drill.region} --yes`
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
