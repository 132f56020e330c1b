import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExitCode } from '../../tools/lib/exit-codes';
import { exitCodeFor } from '../../tools/lib/main';
import { main as planMain } from '../../tools/plan/cli';
import { main as policyMain } from '../../tools/policy/cli';
import { main as synthMain } from '../../charts/main';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
let tmp: string;
let envDir: string;
let planFile: string;
let planExit: number;

/** Runs a CLI in-process and maps its outcome to the exit code the process would have. */
async function exitOf(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    return exitCodeFor(e);
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'risk-cli-'));
  envDir = path.join(tmp, 'environments');
  fs.mkdirSync(envDir);
  for (const f of fs.readdirSync(path.join(ROOT, 'environments'))) {
    fs.copyFileSync(path.join(ROOT, 'environments', f), path.join(envDir, f));
  }
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  // The one dev plan of the suite, made by the CLI itself: its exit code and files are the first
  // test's subject, and the saved plan is the policy CLI's input.
  planExit = await exitOf(() => planMain(['--env', 'dev', '--out', path.join(tmp, 'plan')]));
  planFile = path.join(tmp, 'plan', 'dev', 'resources.json');
});

afterAll(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs a CLI in-process as `exitOf` does, with what it printed with console.log (stdout) and the
 * message of the error it ended with (what `runMain` prints on stderr).
 */
async function captured(
  run: () => Promise<number>,
): Promise<{ status: number; stdout: string; error: string }> {
  const lines: string[] = [];
  (console.log as jest.Mock).mockImplementation((line: string) => lines.push(line));
  try {
    return { status: await run(), stdout: lines.join('\n'), error: '' };
  } catch (e) {
    return {
      status: exitCodeFor(e),
      stdout: lines.join('\n'),
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    (console.log as jest.Mock).mockImplementation(() => undefined);
  }
}

/** Writes a copy of the saved dev plan with `edit` applied, and returns its path. */
function mutatedPlan(
  name: string,
  edit: (resources: { type: string; props: Record<string, unknown> }[]) => void,
): string {
  const resources = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  edit(resources);
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(tmp, 'plan', 'dev', 'policy-config.json'), path.join(dir, 'policy-config.json'));
  const file = path.join(dir, 'resources.json');
  fs.writeFileSync(file, JSON.stringify(resources));
  return file;
}

describe('npm run plan', () => {
  test('exits 0 and writes resources.json, report.md, outputs.json and policy-config.json', async () => {
    const out = path.join(tmp, 'plan');
    expect(planExit).toBe(ExitCode.Ok);
    expect(fs.readdirSync(path.join(out, 'dev')).sort()).toEqual(
      expect.arrayContaining(['outputs.json', 'policy-config.json', 'report.md', 'resources.json']),
    );
    const report = fs.readFileSync(path.join(out, 'dev', 'report.md'), 'utf8');
    expect(report).toContain('```mermaid\nflowchart LR');
    expect(report).toContain('## Resources by type and region');
    expect(report).toContain('## Policy verdicts');
  });

  test('exits 2 for an unknown environment', async () => {
    expect(await exitOf(() => planMain(['--env', 'qa']))).toBe(ExitCode.Usage);
  });

  test('exits 2 for an unknown option', async () => {
    expect(await exitOf(() => planMain(['--bogus']))).toBe(ExitCode.Usage);
  });

  test('exits 2, naming the key, when a stack file holds a negative peak', async () => {
    const file = path.join(envDir, 'Pulumi.prod.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('peakScoringRps: 40000', 'peakScoringRps: -5'),
    );
    const run = await captured(() =>
      planMain(['--env', 'prod', '--environments', envDir, '--out', path.join(tmp, 'bad')]),
    );
    expect(run.status).toBe(ExitCode.Usage);
    expect(run.error).toContain('risk-platform:targets.peakScoringRps: received -5, expected a number > 0');
    expect(fs.existsSync(path.join(tmp, 'bad', 'prod', 'resources.json'))).toBe(false);
  });
});

describe('npm run policy', () => {
  test('exits 0 on the saved dev plan', async () => {
    expect(await exitOf(() => policyMain([planFile]))).toBe(ExitCode.Ok);
  });

  test('exits 1 and names required-tags when the tags are removed (--json)', async () => {
    const file = mutatedPlan('untagged', (rs) => {
      // AWS tags only: a Datadog monitor's tags carry its region (policy monitoring-coverage).
      for (const r of rs) if (r.type.startsWith('aws:')) delete r.props.tags;
    });
    const run = await captured(() => policyMain([file, '--json']));
    expect(run.status).toBe(ExitCode.Failed);
    const verdicts = JSON.parse(run.stdout) as {
      policy: string;
      enforcementLevel: string;
      urn: string;
      message: string;
    }[];
    const mandatory = verdicts.filter((v) => v.enforcementLevel === 'mandatory');
    expect(mandatory.length).toBeGreaterThan(0);
    expect(new Set(mandatory.map((v) => v.policy))).toEqual(new Set(['required-tags']));
    for (const v of verdicts)
      expect(Object.keys(v)).toEqual(['policy', 'enforcementLevel', 'urn', 'message']);
    expect(mandatory[0].message).toMatch(
      /must carry the tags owner, cost-centre, data-classification, environment/,
    );
  });

  test('exits 2 when the plan file does not exist', async () => {
    expect(await exitOf(() => policyMain([path.join(tmp, 'missing.json')]))).toBe(ExitCode.Usage);
  });

  test('exits 2 naming the element and field when the plan is malformed', async () => {
    const file = path.join(tmp, 'malformed.json');
    fs.writeFileSync(
      file,
      JSON.stringify([{ urn: 'x', type: 't', name: 'n', region: null, parent: null, props: {} }]),
    );
    await expect(policyMain([file])).rejects.toThrow(
      /<resources.json>\[0\]\.urn: received "x", expected Invalid string: must start with "urn:pulumi:"/,
    );
  });

  test('exits 2 without a plan argument', async () => {
    expect(await exitOf(() => policyMain([]))).toBe(ExitCode.Usage);
  });
});

describe('component argument errors', () => {
  // Spawned, and the plan CLI's one real-process smoke test: the component throws inside Pulumi's
  // runtime, which surfaces the error as an unhandled rejection; in-process, jest's own handler takes
  // it before the plan harness sees it, so only a real process shows the exit code the operator sees.
  test('a value a component refuses exits 2 with its message, writing nothing (real process)', () => {
    // dev's primary region: the smallest environment, and the first regional stack the plan makes.
    const file = path.join(envDir, 'Pulumi.dev.yaml');
    // 3 AZs are required by the schema; a /23 VPC passes the schema but is too small for the subnet plan.
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('vpcCidr: 10.20.0.0/16', 'vpcCidr: 10.20.0.0/23'),
    );
    const out = path.join(tmp, 'bad-arg');
    const run = spawnSync(
      TSX,
      ['tools/plan/cli.ts', '--env', 'dev', '--environments', envDir, '--out', out],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("'vpcCidr' (10.20.0.0/23) must have a prefix between /16 and /22");
    expect(fs.existsSync(path.join(out, 'dev', 'resources.json'))).toBe(false);
  });
});

describe('npm run synth', () => {
  test('writes both regions of the environment and exits 0', () => {
    const out = path.join(tmp, 'synth');
    const run = spawnSync(TSX, ['charts/main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RISK_ENV: 'staging', CDK8S_OUTDIR: out },
    });
    expect(run.status).toBe(ExitCode.Ok);
    expect(fs.readdirSync(out).sort()).toEqual(['staging-us-east-1.k8s.yaml', 'staging-us-west-2.k8s.yaml']);
  });

  test('exits 2 for an unknown RISK_ENV, naming it', async () => {
    const out = path.join(tmp, 'synth-bad');
    await expect(synthMain({ RISK_ENV: 'nope', CDK8S_OUTDIR: out })).rejects.toThrow(
      'RISK_ENV: received "nope", expected one of dev, staging, prod',
    );
    expect(await exitOf(() => synthMain({ RISK_ENV: 'nope', CDK8S_OUTDIR: out }))).toBe(ExitCode.Usage);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('npm run plan on a mandatory violation', () => {
  test('exits 1, and --json lists the violation with its policy', async () => {
    // GIVEN staging without deletion protection, which the pack requires in staging and prod
    const dir = fs.mkdtempSync(path.join(tmp, 'envs-'));
    for (const f of fs.readdirSync(path.join(ROOT, 'environments'))) {
      fs.copyFileSync(path.join(ROOT, 'environments', f), path.join(dir, f));
    }
    const staging = path.join(dir, 'Pulumi.staging.yaml');
    fs.writeFileSync(staging, fs.readFileSync(staging, 'utf8').replace('protect: true', 'protect: false'));
    const lines: string[] = [];
    (console.log as jest.Mock).mockImplementation((line: string) => lines.push(line));
    const code = await exitOf(() =>
      planMain(['--env', 'staging', '--environments', dir, '--out', path.join(tmp, 'violating'), '--json']),
    );
    (console.log as jest.Mock).mockImplementation(() => undefined);
    expect(code).toBe(ExitCode.Failed);
    const summary = JSON.parse(lines.join('\n')) as {
      ok: boolean;
      environments: {
        env: string;
        verdict: string;
        violations: { policy: string; enforcementLevel: string }[];
      }[];
    };
    expect(summary.ok).toBe(false);
    expect(summary.environments[0].verdict).toBe('FAIL');
    expect(
      new Set(
        summary.environments[0].violations
          .filter((v) => v.enforcementLevel === 'mandatory')
          .map((v) => v.policy),
      ),
    ).toEqual(new Set(['dynamodb-deletion-protection']));
  });
});

describe('through npm run', () => {
  test('npm run policy -- <plan> --json prints pure JSON on stdout (no npm banner)', () => {
    const run = spawnSync('npm', ['run', 'policy', '--', planFile, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(ExitCode.Ok);
    expect(Array.isArray(JSON.parse(run.stdout))).toBe(true);
  });
});
