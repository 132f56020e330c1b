import { PassThrough } from 'node:stream';
import { Clients } from '../../tools/dr/clients';
import { GateResult, runGate } from '../../tools/dr/gate';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { CommandResult, runCli } from '../../tools/dr/program';
import { readStatus } from '../../tools/dr/status';
import { RunbookOutputs } from '../../stacks/outputs';
import { startLocal } from './helpers';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(async () => {
  await env.reset();
  await env.writeHeartbeats();
});

const PRIMARY = 'us-west-2';

/** Runs the gate once on `region` against the local environment. */
async function gate(
  opts: {
    region?: string;
    activeRegion?: string;
    clients?: Clients;
    outputs?: RunbookOutputs;
    bakeMs?: number;
  } = {},
): Promise<GateResult & { lines: string[] }> {
  const lines: string[] = [];
  const clients = opts.clients ?? env.clients();
  const outputs = opts.outputs ?? env.outputs;
  let clock = 0;
  const result = await runGate(
    {
      outputs,
      clients,
      readStatus: () => readStatus(outputs, clients, new Date()),
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
      },
      log: (l) => lines.push(l),
    },
    {
      region: opts.region ?? PRIMARY,
      activeRegion: opts.activeRegion ?? PRIMARY,
      bakeMs: opts.bakeMs ?? 0,
      intervalMs: 30_000,
      id: 'test',
    },
  );
  return { ...result, lines };
}

const failed = (g: GateResult) => g.checks.filter((c) => !c.ok).map((c) => c.check);

describe('dr gate', () => {
  test('passes a healthy serving region with all four checks', async () => {
    const g = await gate();
    expect(g.verdict).toBe('pass');
    expect(g.checks.map((c) => c.check)).toEqual([
      'routing-control',
      'workloads-ready',
      'synthetic-score',
      'replication-heartbeat',
    ]);
    expect(g.checks[0].detail).toBe('On (serving)');
  });

  test('fails the routing control alone when the region is On but should be the standby', async () => {
    const g = await gate({ activeRegion: 'us-east-1' });
    expect(failed(g)).toEqual(['routing-control']);
    expect(g.checks[0].detail).toBe('On, expected Off: the region is the standby and must not serve');
  });

  test('fails workloads-ready alone when a Deployment is below its minimum, naming it', async () => {
    const r = env.outputs.regions[PRIMARY];
    const d = r.workloads.deployments.find((x) => x.name !== 'scoring-api')!;
    const state = env.kube[PRIMARY].state.deployments[d.name];
    state.ready = 0;
    state.readyAt = Date.now() + 3_600_000;
    const g = await gate();
    expect(failed(g)).toEqual(['workloads-ready']);
    expect(g.checks[1].detail).toContain(`${d.name} 0/${state.replicas} ready`);
  });

  test('fails synthetic-score alone when the endpoint answers 500', async () => {
    const healthy = env.clients();
    const g = await gate({ clients: { ...healthy, http: async () => ({ status: 500 }) as Response } });
    expect(failed(g)).toEqual(['synthetic-score']);
    expect(g.checks[2].detail).toMatch(/HTTP 500$/);
  });

  test('fails replication-heartbeat alone when the region has stopped writing its heartbeat', async () => {
    await env.pauseHeartbeats();
    await new Promise((r) => setTimeout(r, 300));
    const g = await gate({ outputs: { ...env.outputs, rpoSeconds: 0.2 } });
    expect(failed(g)).toEqual(['replication-heartbeat']);
    expect(g.checks[3].detail).toMatch(/^heartbeat#us-west-2 \d+\.\d s old \(RPO 0\.2 s\)$/);
  });

  test('bakes: re-checks every interval until the bake period is over, one progress line per round', async () => {
    const g = await gate({ bakeMs: 90_000 });
    expect(g.rounds).toBe(4);
    expect(g.lines).toEqual([
      '[gate] round 1 at 0.0 s: all 4 checks ok',
      '[gate] round 2 at 30.0 s: all 4 checks ok',
      '[gate] round 3 at 60.0 s: all 4 checks ok',
      '[gate] round 4 at 90.0 s: all 4 checks ok',
    ]);
  });

  test('stops baking at the first failing round', async () => {
    const g = await gate({ bakeMs: 90_000, activeRegion: 'us-east-1' });
    expect(g.rounds).toBe(1);
    expect(g.verdict).toBe('fail');
  });
});

describe('dr gate on the command line', () => {
  async function cli(args: string[]) {
    let stdout = '';
    let stderr = '';
    let result: CommandResult | undefined;
    const code = await runCli(args, {
      io: {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        stdin: Object.assign(new PassThrough(), { isTTY: false }),
        prompt: new PassThrough(),
      },
      clients: () => env.clients(),
      loadOutputs: async () => env.outputs,
      onResult: (r) => (result = r),
    });
    return { code, stdout, stderr, result };
  }

  test('exits 0 and prints PASS for a healthy region', async () => {
    const r = await cli(['gate', '--env', 'staging', '--region', PRIMARY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS: the rollout may go on');
  });

  test('exits 1 naming the failing check', async () => {
    // staging's config serves from us-west-2, so us-east-1 must be Off: it is (standby), but its
    // synthetic request fails in the stand-in (a region that does not serve answers 503).
    const r = await cli(['gate', '--env', 'staging', '--region', 'us-east-1', '--json']);
    expect(r.code).toBe(1);
    const g = r.result as GateResult;
    expect(g.verdict).toBe('fail');
    expect(failed(g)).toContain('synthetic-score');
  });

  test('exits 2 for a region outside the environment, before reading anything', async () => {
    const r = await cli(['gate', '--env', 'staging', '--region', 'eu-west-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--region');
    expect(r.stderr).toContain('eu-west-1');
    expect(r.stderr).toContain('us-west-2, us-east-1');
  });
});
