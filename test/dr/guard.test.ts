import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse, stringify } from 'yaml';
import { stackFilePath } from '../../stacks/config/stack-file';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Clients, memo } from '../../tools/dr/clients';
import { writeActiveRegion } from '../../tools/dr/control/fence';
import { Journal } from '../../tools/dr/control/journal';
import { keys } from '../../tools/dr/control/keys';
import { ControlTable } from '../../tools/dr/control/table';
import { GuardResult } from '../../tools/dr/guard';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { CommandResult, runCli } from '../../tools/dr/program';
import { FIXTURE, startLocal } from './helpers';
import { tempDir } from '../helpers/tmp';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const FIX_DR =
  "pulumi config set --stack staging-global --config-file environments/Pulumi.staging.yaml --path 'risk-platform:dr.activeRegion' us-east-1";

/** A copy of the committed staging stack file with `dr` edited, in a fresh directory. */
function environmentsWith(edit: (dr: Record<string, unknown>) => void): string {
  const dir = tempDir('guard-env-');
  const doc = parse(readFileSync(stackFilePath('staging'), 'utf8')) as {
    config: Record<string, Record<string, unknown>>;
  };
  edit(doc.config['risk-platform:dr']);
  writeFileSync(join(dir, 'Pulumi.staging.yaml'), stringify(doc));
  return dir;
}

/** Writes the active-region record the runbook writes on a failover to `region`, in `via`'s table. */
async function recordActive(region: string, via: string, updatedAt = '2025-06-01T03:00:00.000Z') {
  const table = new ControlTable(
    env.clients().dynamodb(via),
    env.outputs.regions[via].tables.control.name,
    via,
  );
  await writeActiveRegion(table, {
    activeRegion: region,
    writeFence: { region: region === 'us-east-1' ? 'us-west-2' : 'us-east-1', since: updatedAt },
    runId: `failover-${updatedAt}`,
    operation: 'failover',
    updatedAt,
  });
}

async function guard(
  args: string[],
  opts: { environmentsDir?: string; clients?: () => Clients } = {},
): Promise<{ code: number; stdout: string; stderr: string; result?: GuardResult }> {
  let stdout = '';
  let stderr = '';
  let result: CommandResult | undefined;
  const code = await runCli(['guard', '--env', 'staging', ...args], {
    io: {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
      prompt: new PassThrough(),
    },
    clients: opts.clients ?? (() => env.clients()),
    environmentsDir: opts.environmentsDir,
    onResult: (r) => (result = r),
  });
  return { code, stdout, stderr, result: result as GuardResult | undefined };
}

describe('dr guard', () => {
  test('exits 0 when the live record and the config (default: primary) agree', async () => {
    // GIVEN traffic in the primary region, recorded
    await recordActive('us-west-2', 'us-west-2');
    // WHEN
    const r = await guard(['--outputs', FIXTURE]);
    // THEN
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({
      status: 'agree',
      configActiveRegion: 'us-west-2',
      configExplicit: false,
    });
    expect(r.stdout).toContain('dr guard staging: OK (agree)');
  });

  test('exits 1 after a failover the config does not know of, and says exactly what to run', async () => {
    // GIVEN the runbook failed over to us-east-1; the committed config still serves from the primary
    await recordActive('us-east-1', 'us-east-1');
    // WHEN
    const r = await guard(['--outputs', FIXTURE]);
    // THEN
    expect(r.code).toBe(1);
    expect(r.result).toMatchObject({ status: 'disagree', configActiveRegion: 'us-west-2', fix: FIX_DR });
    expect(r.stdout).toContain('dr guard staging: REFUSED (disagree)');
    expect(r.stdout).toContain(`  ${FIX_DR}\n  then commit environments/Pulumi.staging.yaml`);
    expect(r.stdout).toContain('would shrink us-east-1, the serving region, to its standby minimums');
  });

  test('exits 0 once the config names the region the runbook moved traffic to', async () => {
    await recordActive('us-east-1', 'us-east-1');
    const environmentsDir = environmentsWith((dr) => (dr.activeRegion = 'us-east-1'));
    const r = await guard(['--outputs', FIXTURE], { environmentsDir });
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({
      status: 'agree',
      configActiveRegion: 'us-east-1',
      configExplicit: true,
    });
  });

  /** `pulumi stack output --json` of a stack never deployed, or whose first `up` failed. */
  const noOutputs = () => {
    const file = join(tempDir('guard-out-'), 'outputs-staging.json');
    writeFileSync(file, '{}\n');
    return file;
  };

  test('exits 0 on a first deploy: no outputs and no control table in either region', async () => {
    // GIVEN no outputs, and DynamoDB knows no table staging-control in either region
    const healthy = env.clients();
    const missing = memo((region) => {
      const client = new DynamoDBClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      client.middlewareStack.add(
        () => () =>
          Promise.reject(
            Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
          ),
        { step: 'initialize' },
      );
      return client;
    });
    const clients = (): Clients => ({ ...healthy, dynamodb: missing });
    // WHEN
    const r = await guard(['--outputs', noOutputs()], { clients });
    // THEN
    expect(r.code).toBe(0);
    expect(r.result?.status).toBe('no-record');
    expect(r.result?.reads).toEqual([
      { region: 'us-west-2', ok: true, activeRegion: null, noTable: true },
      { region: 'us-east-1', ok: true, activeRegion: null, noTable: true },
    ]);
    expect(r.stdout).toContain(
      'has no outputs (first deploy, or its first up failed) and no control table staging-control exists',
    );
  });

  test('no outputs but a control table with no record (first up failed after creating it): exits 0', async () => {
    const r = await guard(['--outputs', noOutputs()]);
    expect(r.code).toBe(0);
    expect(r.result?.status).toBe('no-record');
    expect(r.stdout).toContain('its control table staging-control holds no active-region record');
  });

  test('no outputs but the control table holds a record: compared as usual (a failed first up is no free pass)', async () => {
    // GIVEN the stack's outputs are {} (its last up failed) but traffic was moved to us-east-1
    await recordActive('us-east-1', 'us-east-1');
    // WHEN
    const r = await guard(['--outputs', noOutputs()]);
    // THEN found by the table's deterministic name
    expect(r.code).toBe(1);
    expect(r.result).toMatchObject({ status: 'disagree', fix: FIX_DR });
  });

  test('exits 0 when the control table holds no record yet (traffic never moved)', async () => {
    const r = await guard(['--outputs', FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.result?.status).toBe('no-record');
    expect(r.result?.reads.map((x) => [x.region, x.ok, x.activeRegion])).toEqual([
      ['us-west-2', true, null],
      ['us-east-1', true, null],
    ]);
  });

  /** The local clients with `down`'s DynamoDB unreachable. */
  const withDown = (down: string) => {
    const healthy = env.clients();
    return (): Clients => ({
      ...healthy,
      dynamodb: (region) => {
        if (region === down) throw new Error(`${region} is unreachable`);
        return healthy.dynamodb(region);
      },
    });
  };

  test('refuses one region’s possibly stale copy when the config’s active region does not answer', async () => {
    // GIVEN the record in us-east-1 says us-west-2 serves (stale?), and us-west-2 (the config's) is down
    await recordActive('us-west-2', 'us-east-1');
    // WHEN
    const r = await guard(['--outputs', FIXTURE, '--json'], { clients: withDown('us-west-2') });
    // THEN
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as GuardResult;
    expect(json.status).toBe('one-region');
    expect(json.reads).toEqual([
      { region: 'us-west-2', ok: false, error: 'Error: us-west-2 is unreachable' },
      { region: 'us-east-1', ok: true, activeRegion: 'us-west-2' },
    ]);
    expect(json.message).toContain(
      "only us-east-1 answered (us-west-2: Error: us-west-2 is unreachable); us-east-1's copy of the active-region record may be stale",
    );
    expect(json.message).toContain('re-run with --allow-one-region');
  });

  test('--allow-one-region accepts that copy deliberately, and says so', async () => {
    await recordActive('us-east-1', 'us-east-1');
    const r = await guard(['--outputs', FIXTURE, '--json', '--allow-one-region'], {
      clients: withDown('us-west-2'),
    });
    // THEN the disagreement is found through us-east-1
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as GuardResult;
    expect(json).toMatchObject({ status: 'disagree', fix: FIX_DR, allowOneRegion: true });
    expect(json.message).toContain(
      "[--allow-one-region: accepted us-east-1's copy alone; us-west-2 did not answer]",
    );
  });

  test('the config’s active region answering alone is authoritative for itself', async () => {
    await recordActive('us-west-2', 'us-west-2');
    const r = await guard(['--outputs', FIXTURE], { clients: withDown('us-east-1') });
    expect(r.code).toBe(0);
    expect(r.result?.status).toBe('agree');
  });

  test('the newest copy wins when the regions’ copies differ (replication lag)', async () => {
    await recordActive('us-east-1', 'us-east-1', '2025-06-01T03:00:00.000Z');
    await recordActive('us-west-2', 'us-west-2', '2025-06-01T05:00:00.000Z');
    const r = await guard(['--outputs', FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.result?.record?.activeRegion).toBe('us-west-2');
  });

  test('exits 1 when no region’s control table answers (fails closed)', async () => {
    const healthy = env.clients();
    const clients = (): Clients => ({
      ...healthy,
      dynamodb: () => {
        throw new Error('no credentials');
      },
    });
    const r = await guard(['--outputs', FIXTURE], { clients });
    expect(r.code).toBe(1);
    expect(r.result?.status).toBe('unreadable');
  });

  test('exits 1 while a runbook run is unfinished, naming the run and how to resume it', async () => {
    // GIVEN a failover that crashed midway: its run is open in us-east-1's journal
    const table = new ControlTable(
      env.clients().dynamodb('us-east-1'),
      env.outputs.regions['us-east-1'].tables.control.name,
      'us-east-1',
    );
    await new Journal(table).createRun({
      runId: 'failover-20250601T030000Z-abcd',
      operation: 'failover',
      environment: 'staging',
      from: 'us-west-2',
      to: 'us-east-1',
      startedAt: '2025-06-01T03:00:00.000Z',
      status: 'running',
      owner: 'oncall@laptop',
    });
    // WHEN
    const r = await guard(['--outputs', FIXTURE]);
    // THEN
    expect(r.code).toBe(1);
    expect(r.result?.status).toBe('run-open');
    expect(r.stdout).toContain('dr guard staging: REFUSED (run-open)');
    expect(r.stdout).toContain(
      "runbook run failover-20250601T030000Z-abcd (failover us-west-2 -> us-east-1, started 2025-06-01T03:00:00.000Z by oncall@laptop) is unfinished in us-east-1's control table; " +
        'resume it with: npm run dr -- failover --env staging --to us-east-1',
    );
  });

  test('exits 1 while a drill is unfinished, with the command that resumes it', async () => {
    const table = new ControlTable(
      env.clients().dynamodb('us-east-1'),
      env.outputs.regions['us-east-1'].tables.control.name,
      'us-east-1',
    );
    await table.put({ ...keys.openDrill(), drillId: 'drill-1', startedAt: '2025-06-01T03:00:00.000Z' });
    const r = await guard(['--outputs', FIXTURE]);
    expect(r.code).toBe(1);
    expect(r.result?.message).toContain(
      'resume it with: npm run dr -- drill --env staging --to us-east-1 --yes',
    );
  });

  test('names the drill’s failover target even when the record is read in the other region’s replica', async () => {
    // GIVEN the drill record (written in us-east-1, its target) as replicated into us-west-2, which the
    // guard reads first (the config's active region)
    const west = new ControlTable(
      env.clients().dynamodb('us-west-2'),
      env.outputs.regions['us-west-2'].tables.control.name,
      'us-west-2',
    );
    await west.put({
      ...keys.openDrill(),
      drillId: 'drill-2',
      startedAt: '2025-06-01T03:00:00.000Z',
      from: 'us-west-2',
      to: 'us-east-1',
    });
    const r = await guard(['--outputs', FIXTURE]);
    expect(r.code).toBe(1);
    expect(r.result?.message).toContain(
      "drill drill-2 (started 2025-06-01T03:00:00.000Z, failover us-west-2 -> us-east-1) is unfinished in us-west-2's control table; " +
        'resume it with: npm run dr -- drill --env staging --to us-east-1 --yes',
    );
  });

  test('exits 2 naming the key when the config names a region outside the environment', async () => {
    const environmentsDir = environmentsWith((dr) => (dr.activeRegion = 'eu-west-1'));
    const r = await guard(['--outputs', FIXTURE], { environmentsDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `risk-platform:dr.activeRegion: received "eu-west-1", expected one of the environment's regions (us-west-2 or us-east-1)`,
    );
  });
});
