import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, Clients } from '../../tools/dr/clients';
import { ExitCode } from '../../tools/lib/exit-codes';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { loadOutputsFile } from '../../tools/dr/outputs';
import { DrillResult } from '../../tools/dr/drill';
import { resolveOperation } from '../../tools/dr/operation';
import { CommandResult, runCli } from '../../tools/dr/program';
import { OperationResult } from '../../tools/dr/runner';
import { planSteps } from '../../tools/dr/steps';
import { FAST, FIXTURE, sideEffects, startLocal } from './helpers';
import { tempDir } from '../helpers/tmp';

const failoverOp = () => resolveOperation(env.outputs, 'failover');

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

interface Run {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
  readonly result?: CommandResult;
}

/** Drives the commander program in-process against the local environment. */
async function dr(
  args: string[],
  opts: { tty?: boolean; answer?: string; clients?: () => Clients } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let result: CommandResult | undefined;
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  if (opts.answer !== undefined) setTimeout(() => stdin.write(`${opts.answer}\n`), 20);
  const code = await runCli(args, {
    io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin, prompt: new PassThrough() },
    clients: opts.clients ?? (() => env.clients()),
    loadOutputs: async (e, file) => {
      const outputs = await loadOutputsFile(file ?? FIXTURE);
      if (outputs.environment !== e)
        throw new (await import('../../tools/lib/exit-codes')).UsageError('--env', e, 'staging');
      // The local environment's topics (fauxqs ARNs), region by region.
      const regions = Object.fromEntries(
        Object.entries(outputs.regions).map(([k, r]) => [
          k,
          { ...r, notificationTopicArn: env.outputs.regions[k].notificationTopicArn },
        ]),
      );
      // ...and its heartbeat writers' interval (the stand-in writes every LOCAL_HEARTBEAT_INTERVAL_MS).
      return { ...outputs, regions, heartbeatIntervalSeconds: env.outputs.heartbeatIntervalSeconds };
    },
    owner: 'test@jest',
    timings: FAST,
    onResult: (r) => (result = r),
  });
  return { code, stdout, stderr, result };
}

describe('exit codes', () => {
  test('status exits 1 when a region cannot be read, still printing the table and naming the region', async () => {
    const healthy = env.clients();
    const clients = (): Clients => ({
      ...healthy,
      dynamodb: (region) => {
        if (region === 'us-east-1') throw new Error('us-east-1 is unreachable');
        return healthy.dynamodb(region);
      },
    });
    const r = await dr(['status', '--env', 'staging'], { clients });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('staging: active region us-west-2');
    expect(r.stdout).toContain('UNREACHABLE: us-east-1 (active-region record, tables, heartbeats)');
  });

  test('status exits 0 and names the active region', async () => {
    const r = await dr(['status', '--env', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^staging: active region us-west-2$/m);
  });

  test('failover --yes exits 0 when it completes', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes']);
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ operation: 'failover', status: 'completed' });
  });

  test('failover exits 1 when preflight refuses', async () => {
    await env.reset({ replicationLatencyMs: 60_000 });
    const r = await dr(['failover', '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stale replication/);
  });

  test('an unknown command exits 2', async () => {
    expect((await dr(['teleport', '--env', 'staging'])).code).toBe(2);
  });

  test('an unknown --env exits 2 naming --env, the value and the environments, before reading outputs', async () => {
    const r = await dr(['failover', '--env', 'nope', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --env: received "nope", expected one of the environments (dev, staging, prod)\n',
    );
  });

  test('a missing --env exits 2', async () => {
    const r = await dr(['status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--env <env>' not specified/);
  });

  test('--force without --reason exits 2 naming --reason', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --reason: received nothing, expected a non-empty reason with --force (it is recorded in the audit)\n',
    );
  });

  test('--max-run-age that is not a positive number exits 2 naming it, before anything is written', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--max-run-age', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --max-run-age: received "0", expected a positive number of seconds\n');
    expect(sideEffects(env)).toEqual({ patches: 0, arcUpdates: 0, notifications: 0 });
  });

  test('--to a region outside the environment exits 2', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--to', 'eu-west-9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --to: received "eu-west-9", expected one of the environment\'s regions (us-west-2, us-east-1)\n',
    );
  });

  test('an outputs file that breaks the schema exits 2 naming the field', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const bad = JSON.parse((await import('node:fs')).readFileSync(FIXTURE, 'utf8')) as {
      runbook: { rpoSeconds: unknown };
    };
    bad.runbook.rpoSeconds = 'fifteen';
    const file = join(tempDir('dr-'), 'outputs.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = await dr(['status', '--env', 'staging', '--outputs', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^error: ${file}: runbook\\.rpoSeconds: received "fifteen", expected`),
    );
  });
});

describe('confirmation', () => {
  test('a state-changing command without --yes refuses when stdin is not a terminal', async () => {
    const r = await dr(['failover', '--env', 'staging']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'refused: refusing to failover staging from us-west-2 to us-east-1 without --yes: stdin is not a terminal to confirm on\n',
    );
    expect(await env.controlItems('us-east-1')).toEqual([]);
  });

  test('on a terminal, typing the environment name confirms', async () => {
    const r = await dr(['failover', '--env', 'staging'], { tty: true, answer: 'staging' });
    expect(r.code).toBe(0);
  });

  test('--dry-run needs no confirmation and exits 0', async () => {
    const r = await dr(['failover', '--env', 'staging', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DRY RUN failover us-west-2 -> us-east-1/);
  });
});

describe('output', () => {
  test('--json prints the result on stdout and progress on stderr', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--json']);
    const parsed = JSON.parse(r.stdout) as { status: string; steps: unknown[] };
    expect(parsed.status).toBe('completed');
    expect(parsed.steps).toHaveLength(8);
    expect(r.stderr).toMatch(/^\[1\] failover 1\/8 preflight/m);
  });

  test('a completed failover prints the exact config command for the new active region', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "\n  pulumi config set --stack staging-global --config-file environments/Pulumi.staging.yaml --path 'risk-platform:dr.activeRegion' us-east-1\n  then commit environments/Pulumi.staging.yaml",
    );
  });

  test('a completed failback prints the command for the primary region, and --json carries it', async () => {
    await dr(['failover', '--env', 'staging', '--yes']);
    const r = await dr(['failback', '--env', 'staging', '--yes', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { activeRegionConfig: unknown };
    expect(parsed.activeRegionConfig).toEqual({
      region: 'us-west-2',
      command:
        "pulumi config set --stack staging-global --config-file environments/Pulumi.staging.yaml --path 'risk-platform:dr.activeRegion' us-west-2",
      stackFile: 'environments/Pulumi.staging.yaml',
      alreadyConfigured: true,
    });
  });

  test('a failback to the region the stack config already names says there is nothing to change', async () => {
    await dr(['failover', '--env', 'staging', '--yes']);
    const r = await dr(['failback', '--env', 'staging', '--yes']);
    expect(r.stdout).toContain(
      'us-west-2 serves, and environments/Pulumi.staging.yaml already names it as the active region: nothing to change.',
    );
    expect(r.stdout).not.toContain('pulumi config set');
  });

  test('a failover away from the configured region marks the config change as still to do', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--json']);
    expect(
      (JSON.parse(r.stdout) as { activeRegionConfig: { alreadyConfigured: boolean } }).activeRegionConfig
        .alreadyConfigured,
    ).toBe(false);
  });

  test('a refused or dry-run operation prints no config command', async () => {
    const r = await dr(['failover', '--env', 'staging', '--dry-run', '--json']);
    expect(JSON.parse(r.stdout)).not.toHaveProperty('activeRegionConfig');
  });

  test('drill reports the RTO per step, in total, and the observed RPO', async () => {
    const r = await dr(['drill', '--env', 'staging', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^failover\.5\s+flip\s+done\s+\d+ ms/m);
    // Time to flip (about a second here) plus the 60 s DNS TTL.
    expect(r.stdout).toMatch(/^RTO \(failover: time to flip \+ DNS TTL\)\s+6\d\.\d\d s\s+900\.00 s$/m);
    // The stand-in's 420 ms lag, estimated as age - 250 ms write interval: 170 ms to about 500 ms.
    expect(r.stdout).toMatch(
      /^RPO \(replication latency at cut-over\)\s+(1[7-9]\d|[2-5]\d\d) ms\s+15\.00 s$/m,
    );
  });
});

describe('drill --report', () => {
  const tmp = () => tempDir('dr-cli-report-');

  test('writes the Markdown report with the timeline, creating directories, and prints its path', async () => {
    const file = join(tmp(), 'reports', 'staging', 'drill.md');
    const r = await dr(['drill', '--env', 'staging', '--yes', '--report', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\nreport: ${file}\n`);
    const md = readFileSync(file, 'utf8');
    expect(md).toMatch(
      /^# DR drill drill-\d{8}T\d{6}Z-[0-9a-f]{4} on staging: COMPLETED \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n/,
    );
    const tasks = md.split('\n').filter((l) => / :(crit, |done, )?fail(over|back)\d+, \d+, \d+ms$/.test(l));
    expect(tasks).toHaveLength(17);
    expect(tasks[4]).toMatch(
      /^ {2}5\. flip - flip ARC routing controls#58; us-east-1 on, us-west-2 off :failover5, /,
    );
    // A whole drill ends where it started, which the stack config already names.
    expect(md).toContain(
      'us-west-2 serves, and `environments/Pulumi.staging.yaml` already names it: nothing to change.',
    );
  });

  test('--json carries reportPath', async () => {
    const file = join(tmp(), 'drill.md');
    const r = await dr(['drill', '--env', 'staging', '--yes', '--json', '--report', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'drill', status: 'completed', reportPath: file });
  });

  test('without --report, --json has no reportPath', async () => {
    const r = await dr(['drill', '--env', 'staging', '--yes', '--json']);
    expect(JSON.parse(r.stdout)).not.toHaveProperty('reportPath');
  });

  test('a failed drill still gets its report, with the failed step crit', async () => {
    await env.reset({ replicationLatencyMs: 60_000 });
    const file = join(tmp(), 'refused.md');
    const r = await dr(['drill', '--env', 'staging', '--yes', '--report', file]);
    expect(r.code).toBe(1);
    const md = readFileSync(file, 'utf8');
    expect(md).toMatch(/^# DR drill \S+ on staging: REFUSED/);
    expect(md).toMatch(/^ {2}1\. preflight - .* \(FAILED\) :crit, failover1, 0, 1ms$/m);
    expect(md).toContain(
      '| **RTO (time to flip + DNS TTL)** | not reached | - | 900.00 s | **FAIL** (failover refused, traffic did not flip) |',
    );
  });

  test('a --report path under a file exits 2 before the drill starts', async () => {
    const dir = tmp();
    const blocker = join(dir, 'not-a-dir');
    (await import('node:fs')).writeFileSync(blocker, '');
    const file = join(blocker, 'drill.md');
    const r = await dr(['drill', '--env', 'staging', '--yes', '--report', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: --report: received ${JSON.stringify(file)}, expected a file in a writable directory (${blocker}: a file is in the way, not a directory)\n`,
    );
    expect(existsSync(file)).toBe(false);
    expect(await env.controlItems('us-east-1')).toEqual([]);
  });
});

/** An endpoint nothing listens on: connections are refused at once. */
async function closedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** The local environment, except that `region`'s DynamoDB client is `broken`. */
function withDynamo(region: string, broken: DynamoDBClient): () => Clients {
  return () => {
    const healthy = env.clients();
    return { ...healthy, dynamodb: (r) => (r === region ? broken : healthy.dynamodb(r)) };
  };
}

const BOUNDS = { connectionTimeoutMs: 500, requestTimeoutMs: 500, maxAttempts: 1 } as const;
const local = { accessKeyId: 'local', secretAccessKey: 'local' };

/** `region`'s DynamoDB at a closed port: every control-table read and write there fails. */
async function deadDynamo(region: string): Promise<() => Clients> {
  const endpoint = await closedEndpoint();
  return withDynamo(
    region,
    new DynamoDBClient({ ...awsClientConfig(region, BOUNDS), endpoint, credentials: local }),
  );
}

/** `region`'s DynamoDB without credentials, as on a laptop with no AWS profile. */
function noCredentials(region: string): () => Clients {
  return withDynamo(
    region,
    new DynamoDBClient({
      ...awsClientConfig(region, BOUNDS),
      credentials: () =>
        Promise.reject(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        ),
    }),
  );
}

const STEP_ROWS = (kind: 'failover' | 'failback', status: string) =>
  planSteps(kind).map((s, i) => new RegExp(`^${i + 1}\\s+${s.id}\\s+${status}\\b`, 'm'));

describe('a control table that cannot be read', () => {
  const REFUSED = /could not read the journal in staging-control \(us-east-1\): Error: .*ECONNREFUSED/;

  test('failover exits 1 naming the table, the region and the read, listing every step as not run', async () => {
    // GIVEN the target region's DynamoDB refuses connections
    const clients = await deadDynamo('us-east-1');
    // WHEN
    const r = await dr(['failover', '--env', 'staging', '--yes'], { clients });
    // THEN
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^failover us-west-2 -> us-east-1 \(staging\): FAILED$/m);
    for (const row of STEP_ROWS('failover', 'not run')) expect(r.stdout).toMatch(row);
    expect(r.stdout).toMatch(new RegExp(`^error: ${REFUSED.source}`, 'm'));
    expect(sideEffects(env)).toEqual({ patches: 0, arcUpdates: 0, notifications: 0 });
  });

  test('without credentials the error is the credentials error, in the table and region it concerns', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes'], { clients: noCredentials('us-east-1') });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'error: could not read the journal in staging-control (us-east-1): CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(r.stdout).toMatch(/^1\s+preflight\s+not run/m);
  });

  test('failback names its own target: the primary region', async () => {
    await dr(['failover', '--env', 'staging', '--yes']);
    const r = await dr(['failback', '--env', 'staging', '--yes'], { clients: await deadDynamo('us-west-2') });
    expect(r.code).toBe(1);
    for (const row of STEP_ROWS('failback', 'not run')) expect(r.stdout).toMatch(row);
    expect(r.stdout).toMatch(/^error: could not read the journal in staging-control \(us-west-2\): /m);
  });

  test('--json prints the failed result on stdout', async () => {
    const r = await dr(['failover', '--env', 'staging', '--yes', '--json'], {
      clients: await deadDynamo('us-east-1'),
    });
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as OperationResult;
    expect(parsed).toMatchObject({ operation: 'failover', status: 'failed', to: 'us-east-1' });
    expect(parsed.error).toMatch(REFUSED);
    expect(parsed.steps.map((s) => s.status)).toEqual(Array(8).fill('not-run'));
    expect(r.stderr).toMatch(/^failed: could not read the journal in staging-control \(us-east-1\)/m);
  });

  test('--dry-run still prints the whole plan, warning that resume markers are unknown', async () => {
    const r = await dr(['failover', '--env', 'staging', '--dry-run'], {
      clients: await deadDynamo('us-east-1'),
    });
    // The target's tables cannot be read, so preflight would refuse: a refused dry run exits 1 (finding 14).
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('    the run would be REFUSED (exit 1)');
    for (const [i, s] of planSteps('failover').entries())
      expect(r.stdout).toContain(`  ${i + 1}. ${s.title(failoverOp())}`);
    for (const row of STEP_ROWS('failover', 'planned')) expect(r.stdout).toMatch(row);
    expect(r.stdout).toMatch(
      /^WARNING: could not read the journal in staging-control \(us-east-1\): Error: .*ECONNREFUSED .*: whether a run is unfinished \(and which steps it did\) is unknown/m,
    );
    expect(r.stdout).toContain('resume markers unknown');
  });

  test('--dry-run --json carries the planned steps and the warning', async () => {
    const r = await dr(['failover', '--env', 'staging', '--dry-run', '--json'], {
      clients: await deadDynamo('us-east-1'),
    });
    const parsed = JSON.parse(r.stdout) as OperationResult;
    expect(parsed.status).toBe('planned');
    expect(parsed.steps.map((s) => s.status)).toEqual(Array(8).fill('planned'));
    expect(parsed.warnings).toEqual([expect.stringMatching(REFUSED)]);
  });

  test('a journal that cannot be written names the write', async () => {
    // GIVEN reads succeed and every write to us-east-1's control table fails
    const ep = await env.clients().dynamodb('us-east-1').config.endpoint?.();
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `${ep?.protocol}//${ep?.hostname}:${ep?.port}`,
      credentials: local,
    });
    client.middlewareStack.add(
      (next, context) => (args) =>
        /^(Put|Update|Delete)/.test(context.commandName ?? '')
          ? Promise.reject(
              Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), {
                name: 'AccessDeniedException',
              }),
            )
          : next(args),
      { step: 'initialize' },
    );
    const clients = withDynamo('us-east-1', client);
    const r = await dr(['failover', '--env', 'staging', '--yes', '--json'], { clients });
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as OperationResult;
    expect(parsed.status).toBe('failed');
    expect(parsed.error).toMatch(
      /^could not write the journal \(start run failover-\d{8}T\d{6}Z-[0-9a-f]{4}\) in staging-control \(us-east-1\): AccessDeniedException: User is not authorized/,
    );
    expect(sideEffects(env)).toEqual({ patches: 0, arcUpdates: 0, notifications: 0 });
  });

  test('a drill fails in its failover half, naming the table and region, and --json parses', async () => {
    const r = await dr(['drill', '--env', 'staging', '--yes', '--json'], {
      clients: await deadDynamo('us-east-1'),
    });
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as DrillResult;
    expect(parsed).toMatchObject({ kind: 'drill', status: 'failed', failover: { status: 'failed' } });
    expect(parsed.failback).toBeUndefined();
    expect(parsed.failover.error).toMatch(
      /^could not read the open drill \(runbook#open-drill\) in staging-control \(us-east-1\): Error: .*ECONNREFUSED/,
    );
    expect(parsed.failover.steps.map((s) => s.status)).toEqual(Array(8).fill('not-run'));
  });

  test('a drill prints its failover steps as not run and the error', async () => {
    const r = await dr(['drill', '--env', 'staging', '--yes'], { clients: await deadDynamo('us-east-1') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^drill \(not started\) \(staging\): FAILED$/m);
    expect(r.stdout).toMatch(/^failover\.1\s+preflight\s+not run/m);
    expect(r.stdout).toMatch(/^failover\.8\s+unlock\s+not run/m);
    expect(r.stdout).toMatch(
      /^failover error: could not read the open drill \(runbook#open-drill\) in staging-control \(us-east-1\)/m,
    );
  });

  test('a dry-run drill plans all 17 steps with the warning', async () => {
    const r = await dr(['drill', '--env', 'staging', '--dry-run', '--json'], {
      clients: await deadDynamo('us-east-1'),
    });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as DrillResult).failover.wouldRefuse?.length).toBeGreaterThan(0);
    const parsed = JSON.parse(r.stdout) as DrillResult;
    expect(parsed.status).toBe('planned');
    expect([...parsed.failover.steps, ...(parsed.failback?.steps ?? [])].map((s) => s.status)).toEqual(
      Array(17).fill('planned'),
    );
    expect(parsed.failover.warnings).toEqual([expect.stringMatching(REFUSED)]);
  });
});

describe('--json never leaves stdout empty', () => {
  test('an unexpected error prints {status: failed, error} on stdout and the message on stderr', async () => {
    const r = await dr(['status', '--env', 'staging', '--json'], {
      clients: () => {
        throw new TypeError('no clients today');
      },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'failed', error: 'TypeError: no clients today' });
    expect(r.stderr).toBe('failed: TypeError: no clients today\n');
  });

  test.each(['failover', 'failback', 'drill'])(
    '%s without --yes off a terminal: {status: refused}',
    async (cmd) => {
      const r = await dr([cmd, '--env', 'staging', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        status: 'refused',
        error: expect.stringMatching(/without --yes/),
      });
    },
  );

  test('a usage error exits 2 with {status: usage}', async () => {
    const r = await dr(['failover', '--env', 'nope', '--yes', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'usage',
      error: '--env: received "nope", expected one of the environments (dev, staging, prod)',
    });
  });

  test('an unknown option exits 2 with {status: usage}', async () => {
    const r = await dr(['status', '--env', 'staging', '--json', '--bogus']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'usage', error: expect.stringMatching(/--bogus/) });
  });

  test('without --json nothing extra is printed on stdout', async () => {
    const r = await dr(['status', '--env', 'staging'], {
      clients: () => {
        throw new TypeError('no clients today');
      },
    });
    expect(r.stdout).toBe('');
  });
});

describe('dr abort (issue 16 finding 1)', () => {
  test('exits 1 and says so when there is nothing to abort', async () => {
    const r = await dr(['abort', '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'REFUSED: no unfinished run in the journal of us-west-2 or us-east-1: nothing to abort',
    );
  });

  test('exits 0 and closes a run that crashed before its flip', async () => {
    // GIVEN a failover that crashed right after its fence
    const crashed = await runCli(['failover', '--env', 'staging', '--yes'], {
      io: {
        stdout: () => undefined,
        stderr: () => undefined,
        stdin: new PassThrough(),
        prompt: new PassThrough(),
      },
      clients: () => env.clients(),
      loadOutputs: async () => env.outputs,
      timings: FAST,
      afterEffect: (ref) => {
        if (ref.id === 'fence') throw new Error('simulated crash');
      },
    });
    expect(crashed).toBe(1);
    const r = await dr(['abort', '--env', 'staging', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'abort', status: 'aborted', operation: 'failover' });
  });
});
