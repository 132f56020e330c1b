import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { activeRegionFollowUp } from '../../tools/dr/active-region';
import { DrillResult } from '../../tools/dr/drill';
import { axisFormat, drillGantt, drillMarkdown, ganttBars, mermaidText } from '../../tools/dr/drill-report';
import { localDrillArgs, localDrillPaths } from '../../tools/dr/local-drill';
import { prepareReportFile } from '../../tools/dr/report-file';
import { OperationResult, StepReport } from '../../tools/dr/runner';
import { planSteps } from '../../tools/dr/steps';
import { tempDir } from '../helpers/tmp';

/** A completed half whose steps took `ms[i]` each. */
function half(operation: 'failover' | 'failback', ms: readonly number[]): OperationResult {
  const [from, to] = operation === 'failover' ? ['us-west-2', 'us-east-1'] : ['us-east-1', 'us-west-2'];
  const steps: StepReport[] = planSteps(operation).map((s, i) => ({
    n: i + 1,
    id: s.id,
    title: s.title({ kind: operation, from, to }),
    status: 'done',
    ms: ms[i],
    detail: `detail ${i + 1}`,
  }));
  return {
    operation,
    environment: 'staging',
    from,
    to,
    runId: `drill-20250611T142305Z-ab12.${operation}`,
    status: 'completed',
    resumed: false,
    steps,
    // Recovery: time to flip (here the steps up to the flip, no crash gap) plus the 60 s DNS TTL.
    rtoMs: steps.slice(0, 5).reduce((sum, s) => sum + (s.ms ?? 0), 0) + 60_000,
    timeToFlipMs: steps.slice(0, 5).reduce((sum, s) => sum + (s.ms ?? 0), 0),
    dnsTtlMs: 60_000,
    stepsMs: steps.reduce((sum, s) => sum + (s.ms ?? 0), 0),
    replicationLatencyMs: operation === 'failover' ? 420 : 480,
    activeRegionConfig: activeRegionFollowUp('staging', to),
  };
}

const FAILOVER_MS = [1200.4, 12, 5000, 7, 0.3, 40, 15, 9];
const FAILBACK_MS = [30, 10, 6, 8, 4, 9, 12, 17, 11];

/** A completed drill (RTO target 900 s, RPO target 15 s); `change` adjusts it. */
function drill(change: (d: DrillResult) => DrillResult = (d) => d): DrillResult {
  const failover = half('failover', FAILOVER_MS);
  const failback = half('failback', FAILBACK_MS);
  return change({
    kind: 'drill',
    environment: 'staging',
    drillId: 'drill-20250611T142305Z-ab12',
    startedAt: '2025-06-11T14:23:05.123Z',
    status: 'completed',
    failover,
    failback,
    rtoMs: failover.rtoMs,
    totalMs: (failover.stepsMs ?? 0) + (failback.stepsMs ?? 0),
    rpoMs: 420,
    rtoTargetMs: 900_000,
    rpoTargetMs: 15_000,
  });
}

/** A drill whose failover failed at step `n` (no failback). */
function failedAt(n: number): DrillResult {
  return drill((d) => {
    const steps = d.failover.steps.map((s): StepReport => {
      if (s.n < n) return s;
      if (s.n === n) return { ...s, status: 'failed', ms: undefined, detail: 'ScaleTimeout: not ready' };
      return { ...s, status: 'pending', ms: undefined, detail: undefined };
    });
    const failover: OperationResult = {
      ...d.failover,
      status: 'failed',
      steps,
      rtoMs: 0,
      timeToFlipMs: undefined,
      stepsMs: steps.reduce((sum, s) => sum + (s.ms ?? 0), 0),
      error: 'ScaleTimeout: not ready',
      activeRegionConfig: undefined,
    };
    return { ...d, status: 'failed', failover, failback: undefined, rtoMs: failover.rtoMs };
  });
}

/** The gantt's task lines: `name :data`. */
const tasks = (gantt: string) => gantt.split('\n').filter((l) => /^ {2}\S.* :[^:]*\d+ms$/.test(l));

describe('the Mermaid timeline', () => {
  test('has one task per step, in order, laid end to end from the measured durations', () => {
    const lines = tasks(drillGantt(drill()));
    const measured = [...FAILOVER_MS, ...FAILBACK_MS].map((ms) => Math.max(1, Math.round(ms)));
    expect(lines).toHaveLength(17);
    let start = 0;
    lines.forEach((line, i) => {
      const [, id, at, ms] = /:(\w+), (\d+), (\d+)ms$/.exec(line) ?? [];
      expect(id).toBe(i < 8 ? `failover${i + 1}` : `failback${i - 7}`);
      expect(Number(at)).toBe(start);
      expect(Number(ms)).toBe(measured[i]);
      start += measured[i];
    });
  });

  test('declares millisecond timestamps, an axis in seconds, and one section per half', () => {
    const g = drillGantt(drill());
    expect(g.split('\n').slice(0, 6)).toEqual([
      '```mermaid',
      'gantt',
      '  title Drill drill-20250611T142305Z-ab12 on staging, COMPLETED',
      '  dateFormat x',
      '  axisFormat %S.%L s',
      '  todayMarker off',
    ]);
    expect(g.split('\n').filter((l) => l.startsWith('  section '))).toEqual([
      '  section failover us-west-2 to us-east-1',
      '  section failback us-east-1 to us-west-2',
    ]);
  });

  test('draws a step of 0 ms as a 1 ms bar', () => {
    const g = drillGantt(drill());
    expect(g).toContain(':failover5, 6219, 1ms');
  });

  test('marks a failed step crit, and the steps it never reached not run', () => {
    const lines = tasks(drillGantt(failedAt(3)));
    expect(lines).toHaveLength(8);
    expect(lines[2]).toBe(
      "  3. scale-up - raise us-east-1 autoscaler minimums and table floors (full, or the source's current), wait for readiness (FAILED) :crit, failover3, 1212, 1ms",
    );
    expect(lines.filter((l) => l.includes(':crit,'))).toHaveLength(1);
    expect(lines[3]).toMatch(/\(not run\) :failover4, 1213, 1ms$/);
  });

  test('marks steps done by an earlier invocation done', () => {
    const resumed = drill((d) => ({
      ...d,
      failover: {
        ...d.failover,
        resumed: true,
        steps: d.failover.steps.map((s) => (s.n <= 2 ? { ...s, status: 'done-earlier' } : s)),
      },
    }));
    const lines = tasks(drillGantt(resumed));
    expect(lines.filter((l) => l.includes(':done,')).map((l) => /(\w+), \d+, \d+ms$/.exec(l)?.[1])).toEqual([
      'failover1',
      'failover2',
    ]);
  });

  test('escapes : # and ; in task names as Mermaid entity codes', () => {
    const weird = drill((d) => ({
      ...d,
      failover: {
        ...d.failover,
        steps: d.failover.steps.map((s) => (s.n === 1 ? { ...s, title: 'check a:b #1; done' } : s)),
      },
    }));
    const line = tasks(drillGantt(weird))[0];
    expect(line).toBe('  1. preflight - check a#58;b #35;1#59; done :failover1, 0, 1200ms');
    // Exactly one unescaped ':' per task line: the one that starts the task data.
    for (const l of tasks(drillGantt(drill()))) expect(l.split(':')).toHaveLength(2);
  });

  test('mermaidText escapes in one pass and flattens line breaks', () => {
    expect(mermaidText('a:b#c;d\ne')).toBe('a#58;b#35;c#59;d e');
  });

  test('the axis shows seconds under a minute, minutes and seconds above', () => {
    expect(axisFormat(59_999)).toBe('%S.%L s');
    expect(axisFormat(60_000)).toBe('%M:%S');
  });

  test('bars are contiguous, at least 1 ms, one per step, for any durations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 9, maxLength: 9 }),
        (fo, fb) => {
          const d = drill((x) => ({ ...x, failover: half('failover', fo), failback: half('failback', fb) }));
          const bars = ganttBars(d);
          expect(bars).toHaveLength(17);
          bars.forEach((b, i) => {
            expect(b.ms).toBeGreaterThanOrEqual(1);
            expect(b.startMs).toBe(i === 0 ? 0 : bars[i - 1].startMs + bars[i - 1].ms);
          });
        },
      ),
    );
  });
});

describe('the Markdown report', () => {
  test('is titled with the environment, drill id, status and date', () => {
    expect(drillMarkdown(drill()).split('\n')[0]).toBe(
      '# DR drill drill-20250611T142305Z-ab12 on staging: COMPLETED (2025-06-11 14:23:05 UTC)',
    );
  });

  test('the measures table passes an RTO (time to flip + DNS TTL) and RPO within their targets', () => {
    const md = drillMarkdown(drill());
    expect(md).toContain('| RTO: failover.3 scale-up | 5.00 s | 6.21 s | 900.00 s | PASS |');
    expect(md).toContain('| RTO: failover.5 flip | 0 ms | 6.22 s | 900.00 s | PASS |');
    expect(md).toContain('| DNS TTL (resolvers keep the old answer) | 60.00 s | 66.22 s | 900.00 s | PASS |');
    expect(md).toContain('| **RTO (time to flip + DNS TTL)** | 66.22 s | - | 900.00 s | **PASS** |');
    expect(md).toContain('| **RPO (replication latency at cut-over)** | 420 ms | - | 15.00 s | **PASS** |');
    expect(md).toContain('| failback (time to flip + DNS TTL) | 60.06 s | - | - | - |');
    expect(md).toContain('| drill total (sum of steps) | 6.39 s | - | - | - |');
  });

  test('the steps after the flip are listed but not counted in the RTO', () => {
    const md = drillMarkdown(drill());
    expect(md).toContain('| after the flip: failover.6 verify | 40 ms | - | - | - |');
    expect(md).toContain('| after the flip: failover.8 unlock | 9 ms | - | - | - |');
  });

  test('a crash gap before the flip counts in the RTO and is shown', () => {
    const md = drillMarkdown(
      drill((d) => {
        const failover = { ...d.failover, timeToFlipMs: 6219.7 + 120_000, rtoMs: 6219.7 + 120_000 + 60_000 };
        return { ...d, failover, rtoMs: failover.rtoMs };
      }),
    );
    expect(md).toContain('| time between the steps (a crash and its resume) | 120.00 s | 126.22 s | - | - |');
    expect(md).toContain('| **RTO (time to flip + DNS TTL)** | 186.22 s | - | 900.00 s | **PASS** |');
  });

  test('the measures table says FAIL when the RTO exceeds the target, from the step that crossed it', () => {
    const md = drillMarkdown(drill((d) => ({ ...d, rtoTargetMs: 6_000 })));
    expect(md).toContain('| **RTO (time to flip + DNS TTL)** | 66.22 s | - | 6.00 s | **FAIL** |');
    expect(md).toContain('| RTO: failover.2 lock | 12 ms | 1.21 s | 6.00 s | PASS |');
    expect(md).toContain('| RTO: failover.3 scale-up | 5.00 s | 6.21 s | 6.00 s | FAIL |');
  });

  test('the measures table says FAIL when the RPO exceeds the target', () => {
    const md = drillMarkdown(drill((d) => ({ ...d, rpoMs: 15_001 })));
    expect(md).toContain('| **RPO (replication latency at cut-over)** | 15.00 s | - | 15.00 s | **FAIL** |');
  });

  test('a failover that did not complete fails the RTO whatever its time', () => {
    expect(drillMarkdown(failedAt(3))).toContain(
      '| **RTO (time to flip + DNS TTL)** | not reached | - | 900.00 s | **FAIL** (failover failed, traffic did not flip) |',
    );
  });

  test('lists every step with its detail, escaping pipes', () => {
    const md = drillMarkdown(
      drill((d) => ({
        ...d,
        failback: {
          ...d.failback!,
          steps: d.failback!.steps.map((s) => (s.n === 9 ? { ...s, detail: 'a | b' } : s)),
        },
      })),
    );
    const rows = md.split('\n').filter((l) => /^\| fail(over|back)\.\d/.test(l));
    expect(rows).toHaveLength(17);
    expect(rows[0]).toBe(
      '| failover.1 | `preflight` | preflight: us-east-1 ready to take over from us-west-2 | done | 1.20 s | detail 1 |',
    );
    expect(rows[16]).toBe(
      '| failback.9 | `standby` | restore standby minimums and table floors in us-east-1 (best-effort) | done | 11 ms | a \\| b |',
    );
  });

  test('gives the force reason, the errors, and the stack config command for where traffic is now', () => {
    const forced = drill((d) => ({ ...d, failover: { ...d.failover, forceReason: 'primary is gone' } }));
    const md = drillMarkdown(forced);
    expect(md).toContain('## Forced\n\nPreflight was overridden with `--force`: primary is gone');
    expect(md).toContain(
      "```sh\npulumi config set --stack staging-global --config-file environments/Pulumi.staging.yaml --path 'risk-platform:dr.activeRegion' us-west-2\n```\n\nThen commit `environments/Pulumi.staging.yaml`.",
    );
    const failed = drillMarkdown(failedAt(3));
    expect(failed).toContain('## Errors\n\n- failover: ScaleTimeout: not ready');
    expect(failed).not.toContain('## Next');
  });

  test('a dry run has no timeline and no measures', () => {
    const md = drillMarkdown(
      drill((d) => ({
        ...d,
        drillId: undefined,
        status: 'planned',
        failover: {
          ...d.failover,
          status: 'planned',
          steps: d.failover.steps.map((s) => ({ ...s, status: 'planned', ms: undefined })),
        },
      })),
    );
    expect(md).toContain('Dry run: nothing ran, so nothing was measured.');
    expect(md).not.toContain('```mermaid');
    expect(md).not.toContain('## Measures');
  });

  test('is the same text for the same result', () => {
    expect(drillMarkdown(drill())).toBe(drillMarkdown(drill()));
  });
});

describe('where the report goes', () => {
  test('drill:local writes dist/drill-local/<env>/report.md through dr drill --report', () => {
    expect(localDrillPaths('staging')).toEqual({
      stateDir: join('dist', 'drill-local', 'staging'),
      report: join('dist', 'drill-local', 'staging', 'report.md'),
    });
    expect(localDrillArgs('staging', 'dist/drill-local/staging/report.md')).toEqual([
      'drill',
      '--env',
      'staging',
      '--yes',
      '--lease-seconds',
      '2',
      '--report',
      'dist/drill-local/staging/report.md',
    ]);
  });

  test('--report creates missing directories', () => {
    const dir = join(tempDir('dr-report-'), 'a', 'b');
    expect(() => prepareReportFile(join(dir, 'report.md'))).not.toThrow();
  });

  test('--report naming a directory is refused', () => {
    const dir = tempDir('dr-report-');
    expect(() => prepareReportFile(dir)).toThrow(
      `--report: received ${JSON.stringify(dir)}, expected a file path (e.g. drill-staging.md), not a directory`,
    );
  });

  test('--report under a file is refused, naming the directory and why', () => {
    const file = join(tempDir('dr-report-'), 'plain-file');
    writeFileSync(file, 'x');
    expect(() => prepareReportFile(join(file, 'report.md'))).toThrow(
      `--report: received ${JSON.stringify(join(file, 'report.md'))}, expected a file in a writable directory (${file}: a file is in the way, not a directory)`,
    );
  });
});

describe('the follow-up', () => {
  test('gives the config command when the stack config names another region', () => {
    const md = drillMarkdown(drill());
    expect(md).toContain(
      "pulumi config set --stack staging-global --config-file environments/Pulumi.staging.yaml --path 'risk-platform:dr.activeRegion' us-west-2",
    );
  });

  test('says there is nothing to change when the stack config already names the serving region', () => {
    const md = drillMarkdown(
      drill((d) => ({
        ...d,
        failback: d.failback && {
          ...d.failback,
          activeRegionConfig: { ...activeRegionFollowUp('staging', 'us-west-2'), alreadyConfigured: true },
        },
      })),
    );
    expect(md).toContain(
      'us-west-2 serves, and `environments/Pulumi.staging.yaml` already names it: nothing to change.',
    );
    expect(md).not.toContain('pulumi config set');
  });
});
