#!/usr/bin/env node
/**
 * `npm run drill:local [-- --env staging] [--fail-at <n|name>] [--json] [--outputs <file>] [--fresh]`
 *
 * A full drill (failover then failback) on this machine, through the real `dr drill` command, against
 * emulators and stand-ins on 127.0.0.1. State lives in `dist/drill-local/<env>/`, so after
 * `--fail-at N` (a hard crash of the process right after step N's side effect) a plain re-run
 * resumes the drill from the journal. Every completed run writes its Markdown report (with a Mermaid
 * timeline) to `dist/drill-local/<env>/report.md`. See docs/RUNBOOK.md.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { RunbookOutputs } from '../../stacks/outputs';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { textTable } from '../lib/progress';
import { DrillResult } from './drill';
import { checkDrillAudit } from './local/audit-check';
import { LocalEnvironment } from './local/harness';
import { OperationKind } from './operation';
import { loadOutputsFile } from './outputs';
import { CommandResult, runCli } from './program';
import { StepRef } from './runner';
import { planSteps } from './steps';

/** A step of the drill: its position 1..17 across both halves, and its operation and number. */
export interface DrillStep {
  readonly position: number;
  readonly operation: OperationKind;
  readonly n: number;
  readonly id: string;
}

export function drillSteps(): DrillStep[] {
  const out: DrillStep[] = [];
  for (const operation of ['failover', 'failback'] as const) {
    planSteps(operation).forEach((s, i) =>
      out.push({ position: out.length + 1, operation, n: i + 1, id: s.id }),
    );
  }
  return out;
}

/** `--fail-at`: a position (1..17), `<operation>.<id>`, `<operation>.<n>`, or a step id (its first occurrence). */
export function resolveFailAt(value: string): DrillStep {
  const steps = drillSteps();
  const found = /^\d+$/.test(value)
    ? steps.find((s) => s.position === Number(value))
    : (steps.find((s) => `${s.operation}.${s.id}` === value || `${s.operation}.${s.n}` === value) ??
      steps.find((s) => s.id === value));
  if (!found) {
    throw new UsageError(
      '--fail-at',
      value,
      `a step number 1-${steps.length} or a name (${steps.map((s) => `${s.operation}.${s.id}`).join(', ')}, or just the id)`,
    );
  }
  return found;
}

/** Where the local drill of `env` keeps its state and writes its report. */
export function localDrillPaths(env: string): { readonly stateDir: string; readonly report: string } {
  const stateDir = join('dist', 'drill-local', env);
  return { stateDir, report: join(stateDir, 'report.md') };
}

/** The `dr` command line the local drill runs: the real `drill`, writing the report to `report`. */
export function localDrillArgs(env: string, report: string): string[] {
  return ['drill', '--env', env, '--yes', '--lease-seconds', '2', '--report', report];
}

interface Options {
  env: string;
  outputs?: string;
  failAt?: string;
  json?: boolean;
  fresh?: boolean;
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  const program = new Command('drill:local')
    .option('--env <env>', 'environment', 'staging')
    .option('--outputs <file>', 'runbook outputs (default: dist/plan/<env>/outputs.json from npm run plan)')
    .option(
      '--fail-at <step>',
      'crash the process right after this step (number 1-17 or name, e.g. failover.flip)',
    )
    .option('--fresh', 'discard the state of earlier local drills first')
    .option('--json', 'print the result as JSON on stdout')
    .exitOverride();
  let o: Options;
  try {
    o = program.parse([...argv], { from: 'user' }).opts<Options>();
  } catch (err) {
    return err instanceof CommanderError && err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  const out = (t: string) => (o.json ? process.stderr : process.stdout).write(t);

  let outputs: RunbookOutputs;
  let failAt: DrillStep | undefined;
  try {
    const file = o.outputs ?? join('dist', 'plan', o.env, 'outputs.json');
    if (!existsSync(file)) {
      throw new UsageError(
        '--outputs',
        file,
        `an existing outputs file: run npm run plan first (or pass --outputs test/dr/fixtures/outputs.${o.env}.json)`,
      );
    }
    outputs = await loadOutputsFile(file);
    if (outputs.environment !== o.env)
      throw new UsageError('--env', o.env, `the environment of ${file} ('${outputs.environment}')`);
    failAt = o.failAt ? resolveFailAt(o.failAt) : undefined;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }

  const { stateDir, report } = localDrillPaths(o.env);
  if (o.fresh) rmSync(stateDir, { recursive: true, force: true });
  // A report left by an earlier run must not pass for this run's (a crashed run writes none).
  rmSync(report, { force: true });
  const resumedState = LocalEnvironment.hasState(stateDir);
  const env = await LocalEnvironment.start({ outputs, stateDir });
  out(
    `drill:local ${o.env}: state in ${stateDir}${resumedState ? ' (continuing from an earlier run)' : ' (fresh)'}\n`,
  );
  out(
    `${textTable(
      ['service', 'runs on', 'how'],
      env.services().map((s) => [s.service, s.implementation, s.detail]),
    )}\n\n`,
  );

  const afterEffect = (ref: StepRef) => {
    if (failAt && ref.operation === failAt.operation && ref.n === failAt.n) {
      env.persistSync();
      process.stderr.write(
        `\nSIMULATED CRASH at step ${failAt.position} (${ref.operation}.${ref.id}): its side effect is applied, the journal ` +
          `does not record it as done, and the lock lease is left to lapse. Re-run 'npm run drill:local' to resume.\n`,
      );
      process.exit(ExitCode.Failed);
    }
  };

  let result: CommandResult | undefined;
  const code = await runCli(localDrillArgs(o.env, report), {
    io: { stdout: out, stderr: (t) => process.stderr.write(t), stdin: process.stdin, prompt: process.stderr },
    clients: () => env.clients(),
    loadOutputs: async () => env.outputs,
    owner: `drill-local@${o.env}`,
    timings: { pollMs: 50 },
    afterEffect,
    onResult: (r) => (result = r),
  });
  const drill = result as DrillResult | undefined;
  const reportPath = existsSync(report) ? report : undefined;
  let exit: ExitCode = code;
  if (drill && drill.status === 'completed') {
    const audit = await checkDrillAudit(env, drill);
    const ofDrill = env.notifications().filter((n) => n.body.includes(`"runId":"${drill.drillId}.`));
    const notifications = ofDrill.length;
    out(
      `audit log: ${audit.records} records; ${audit.ok ? 'every step exactly once' : `NOT exactly once: ${audit.problems.join(', ')}`}\n`,
    );
    // Each half notifies once, on its target region's topic (the healthy one).
    const halves = [drill.failover, ...(drill.failback ? [drill.failback] : [])].map((r) => {
      const topic = env.outputs.regions[r.to].notificationTopicArn;
      const sent = ofDrill.filter((n) => n.body.includes(`"runId":"${drill.drillId}.${r.operation}"`));
      const ok = sent.length === 1 && sent.every((n) => n.topicArn === undefined || n.topicArn === topic);
      return { operation: r.operation, topic, ok };
    });
    out(
      `notifications of this drill: ${notifications} (one per half, on the target region's topic): ` +
        `${halves.map((h) => `${h.operation} -> ${h.topic}${h.ok ? '' : ' MISSING OR ELSEWHERE'}`).join('; ')}\n`,
    );
    if (notifications !== 2 || halves.some((h) => !h.ok)) exit = ExitCode.Failed;
    if (!audit.ok) exit = ExitCode.Failed;
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ services: env.services(), drill, audit, notifications, reportPath }, null, 2)}\n`,
      );
    }
  } else if (o.json && drill) {
    process.stdout.write(`${JSON.stringify({ services: env.services(), drill, reportPath }, null, 2)}\n`);
  }
  await env.stop();
  return exit;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`failed: ${err.stack ?? err.message}\n`);
      process.exit(ExitCode.Failed);
    },
  );
}
