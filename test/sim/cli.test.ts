import * as fs from 'fs';
import * as path from 'path';
import { planOf } from '../helpers/plan';
import { TRACES_DIR } from '../../tools/sim/trace';
import { tempDir } from '../helpers/tmp';
import { runCli } from '../diff/cli-run';
import { main } from '../../tools/sim/cli';
import { exitCodeFor } from '../../tools/lib/main';
import { ENVIRONMENTS_DIR } from '../../stacks/config/stack-file';

const spike = {
  name: 'short-spike',
  description: 'a 10-minute spike from 20 % to 100 % of the peak',
  kind: 'load',
  durationSeconds: 600,
  stepSeconds: 5,
  unit: 'peak',
  signals: {
    scoringRps: [
      [0, 0.2],
      [60, 0.2],
      [120, 1],
    ],
    streamRecordsPerSec: [[0, 0.2]],
    feedbackMessagesPerSec: [[0, 0.2]],
  },
};

describe('npm run simulate', () => {
  let dir: string;
  let planFile: string;
  let traceFile: string;
  /** `npm run simulate -- --env prod --plan <the suite's prod plan> --trace <trace> ...more`. */
  const onProd = (trace: string, ...more: string[]) =>
    runCli(main, ['--env', 'prod', '--plan', planFile, '--trace', trace, ...more]);
  beforeAll(async () => {
    dir = tempDir('sim-cli-');
    planFile = path.join(dir, 'resources.json');
    fs.writeFileSync(planFile, JSON.stringify((await planOf('prod')).resources));
    traceFile = path.join(dir, 'spike.json');
    fs.writeFileSync(traceFile, JSON.stringify(spike));
  });

  it('--json prints the contract: env, traces with trace, verdict and workloads per region', async () => {
    const { code, stdout } = await onProd(traceFile, '--json');
    const out = JSON.parse(stdout);
    expect(out.env).toBe('prod');
    expect(out.traces).toHaveLength(1);
    const t = out.traces[0];
    expect(t.trace).toBe('short-spike');
    expect(['pass', 'fail']).toContain(t.verdict);
    expect(t.rtoSeconds).toBeUndefined();
    expect(t.workloads.map((w: { workload: string }) => w.workload)).toEqual([
      'scoring-api',
      'stream-scorer',
      'feedback-worker',
    ]);
    for (const w of t.workloads) {
      expect(w.region).toBe('us-west-2');
      for (const k of ['timeToCapacitySeconds', 'breachSeconds', 'peakPods', 'peakNodes'])
        expect(typeof w[k]).toBe('number');
    }
    expect(code).toBe(t.verdict === 'fail' ? 1 : 0);
  });

  it('exits 1 when a prod trace breaches a mandatory budget, and names the breach', async () => {
    const { code, stdout } = await onProd(traceFile);
    expect(code).toBe(1);
    expect(stdout).toContain('## short-spike (load): FAIL');
    expect(stdout).toMatch(/- us-west-2 dynamodb prod-features reads: time to capacity \d+ s > budget 120 s/);
    expect(stdout).toContain('xychart-beta');
  });

  it('exits 0 on the same breach when the budgets are advisory', async () => {
    const envs = tempDir('sim-envs-');
    const prod = fs.readFileSync(path.join(ENVIRONMENTS_DIR, 'Pulumi.prod.yaml'), 'utf8');
    fs.writeFileSync(
      path.join(envs, 'Pulumi.prod.yaml'),
      `${prod}\n  risk-platform:simulation:\n    level: advisory\n`,
    );
    const { code, stdout } = await onProd(traceFile, '--environments', envs);
    expect(stdout).toContain('## short-spike (load): FAIL');
    expect(code).toBe(0);
  });

  it('the announced launch-day trace passes on the prod plan: every workload and table at 0 s', async () => {
    const file = path.join(TRACES_DIR, 'launch-day.json');
    const { code, stdout } = await onProd(file, '--json');
    const t = JSON.parse(stdout).traces[0];
    expect(code).toBe(0);
    expect(t.verdict).toBe('pass');
    expect(t.prescale).toEqual({
      window: 'weekly-release',
      opensAtSeconds: 0,
      workloads: ['scoring-api', 'stream-scorer'],
      tables: ['prod-features:read', 'prod-features:write', 'prod-decisions:read'],
    });
    const ttc = [...t.workloads, ...t.tables].map(
      (w: { timeToCapacitySeconds: number }) => w.timeToCapacitySeconds,
    );
    expect(ttc).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('the unannounced surprise-spike is reported as an advisory fail and does not fail the command', async () => {
    const file = path.join(TRACES_DIR, 'surprise-spike.json');
    const { code, stdout } = await onProd(file);
    expect(code).toBe(0);
    expect(stdout).toContain('## surprise-spike (load): FAIL (advisory: reported, never fails the command)');
    expect(stdout).toContain('- us-west-2 scoring-api: time to capacity 200 s > budget 120 s');
  });

  it('exits 2 naming the workload when an autoscaled Deployment has no ScaledObject', async () => {
    const resources = JSON.parse(fs.readFileSync(planFile, 'utf8')) as {
      name: string;
      props: { kind?: string };
    }[];
    const file = path.join(dir, 'no-scaledobject.json');
    fs.writeFileSync(
      file,
      JSON.stringify(
        resources.filter(
          (r) => !(r.props.kind === 'ScaledObject' && r.name === 'us-west-2-risk-scoring/scoring-api'),
        ),
      ),
    );
    const err = await runCli(main, ['--env', 'prod', '--plan', file, '--trace', traceFile]).catch(
      (e: unknown) => e,
    );
    expect(exitCodeFor(err)).toBe(2);
    expect((err as Error).message).toBe(
      `--plan ${file}: Deployment us-west-2/risk-scoring/scoring-api: received "no ScaledObject or HorizontalPodAutoscaler", expected a KEDA ScaledObject or autoscaling/v2 HorizontalPodAutoscaler whose scaleTargetRef names it (a Deployment without spec.replicas is sized by its autoscaler)`,
    );
  });

  it('exits 2 on an unknown environment and on a malformed trace, naming the argument', async () => {
    const env = await runCli(main, ['--env', 'qa', '--plan', planFile]).catch((e: unknown) => e);
    expect(exitCodeFor(env)).toBe(2);
    expect((env as Error).message).toBe('--env: received "qa", expected one of dev, staging, prod');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        ...spike,
        signals: {
          scoringRps: [
            [60, 1],
            [0, 1],
          ],
        },
      }),
    );
    const trace = await onProd(bad).catch((e: unknown) => e);
    expect(exitCodeFor(trace)).toBe(2);
    expect((trace as Error).message).toBe(
      `--trace ${bad}: signals.scoringRps: received nothing, expected points with strictly increasing seconds`,
    );
  });

  it('every committed trace parses and names its kind', async () => {
    const { committedTraces } = await import('../../tools/sim/trace');
    expect(committedTraces().map((t) => [t.name, t.kind])).toEqual([
      ['diurnal-day', 'load'],
      ['launch-day', 'load'],
      ['regional-failover', 'failover'],
      ['surprise-spike', 'load'],
    ]);
  });
});
