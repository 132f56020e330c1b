import { TABLE_KEYS } from '../../../stacks/naming';

/**
 * Item design of the `control` table (partition `pk`, sort `sk`, both strings). Every runbook write
 * goes through the target (healthy) region's endpoint; the global table replicates it.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | runbook lock (owner, invocation, expiry) | `runbook#lock` | `lock` |
 * | pointer to the unfinished run | `runbook#open-run` | `run` |
 * | pointer to the unfinished drill | `runbook#open-drill` | `drill` |
 * | run header (operation, regions, status, force reason) | `journal#<runId>` | `run` |
 * | one journal entry per step | `journal#<runId>` | `step#NN` |
 * | notification sent (makes the SNS step idempotent) | `journal#<runId>` | `notification` |
 * | floors before the scale-up raised them (for `dr abort`) | `journal#<runId>` | `capacity` |
 * | active region and write fence | `active-region` | `current` |
 * | audit log, one record per completed step | `audit` | `<run start ISO time>#<runId>#step#NN` |
 * | audit of a refused run | `audit` | `<run start ISO time>#<runId>#refused` |
 * | audit of an aborted run (`dr abort`) | `audit` | `<run start ISO time>#<runId>#aborted` |
 * | preflight re-run by a resuming invocation | `journal#<runId>` | `recheck#<invocation>` |
 * | audit of that re-run | `audit` | `<run start ISO time>#<runId>#recheck#<invocation>` |
 * | replication heartbeat of a region (written by scoring-api, not the runbook) | `heartbeat#<region>` | `heartbeat` |
 */
export type Key = { readonly pk: string; readonly sk: string };

const key = (pk: string, sk: string): Key => ({ [TABLE_KEYS.partition]: pk, [TABLE_KEYS.sort]: sk }) as Key;
const nn = (n: number) => String(n).padStart(2, '0');

export const keys = {
  lock: () => key('runbook#lock', 'lock'),
  openRun: () => key('runbook#open-run', 'run'),
  openDrill: () => key('runbook#open-drill', 'drill'),
  run: (runId: string) => key(`journal#${runId}`, 'run'),
  step: (runId: string, n: number) => key(`journal#${runId}`, `step#${nn(n)}`),
  journalPk: (runId: string) => `journal#${runId}`,
  notification: (runId: string) => key(`journal#${runId}`, 'notification'),
  capacity: (runId: string) => key(`journal#${runId}`, 'capacity'),
  activeRegion: () => key('active-region', 'current'),
  auditPk: () => 'audit',
  auditStep: (runStartedAt: string, runId: string, n: number) =>
    key('audit', `${runStartedAt}#${runId}#step#${nn(n)}`),
  auditRefused: (runStartedAt: string, runId: string) => key('audit', `${runStartedAt}#${runId}#refused`),
  auditAborted: (runStartedAt: string, runId: string) => key('audit', `${runStartedAt}#${runId}#aborted`),
  recheck: (runId: string, invocation: string) => key(`journal#${runId}`, `recheck#${invocation}`),
  auditRecheck: (runStartedAt: string, runId: string, invocation: string) =>
    key('audit', `${runStartedAt}#${runId}#recheck#${invocation}`),
  heartbeat: (region: string) => key(`heartbeat#${region}`, 'heartbeat'),
} as const;
