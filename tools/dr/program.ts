import { hostname, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../../stacks/config/load';
import { listEnvironments } from '../../stacks/config/stack-file';
import { RunbookOutputs } from '../../stacks/outputs';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { AbortResult, renderAbort, runAbort } from './abort';
import { withConfiguredRegion } from './active-region';
import { Progress } from '../lib/progress';
import { Clients } from './clients';
import { confirm, ConfirmInput, NotConfirmed } from './confirm';
import { DrillResult, runDrill } from './drill';
import { drillMarkdown } from './drill-report';
import { GuardResult, readEnvironmentConfig, runGuard } from './guard';
import { OperationKind, resolveOperation } from './operation';
import { KubeCredentials } from './kube';
import { loadDeployedOutputs, loadOutputs, OutputsSources } from './outputs';
import { renderDrill, renderGuard, renderOperation, renderStatus } from './report';
import { prepareReportFile, writeReportFile } from './report-file';
import { OperationResult, runOperation, RunnerDeps, StepRef } from './runner';
import { StepTimings } from './steps';
import { parseMinCapacity } from './steps/capacity-share';
import { PROGRESS_EVERY_MS } from './steps/step';
import { readStatus } from './status';
import { GateResult, renderGate, runGate } from './gate';

/** Where the CLI writes and reads. */
export interface ProgramIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: ConfirmInput;
  /** Where the confirmation prompt is written. */
  readonly prompt: NodeJS.WritableStream;
}

/** Everything the CLI depends on, injectable for tests and `drill:local`. */
export interface ProgramDeps {
  readonly io: ProgramIO;
  /**
   * `outputs` is undefined only for `guard` on a stack without outputs (it then reads DynamoDB only,
   * the control table by its deterministic name).
   */
  readonly clients: (outputs: RunbookOutputs | undefined, options: ClientOptions) => Clients;
  /**
   * @default loadOutputs (from --outputs, else the SSM parameter in the target region, then the other
   * region, then `pulumi stack output`)
   */
  readonly loadOutputs?: (
    env: string,
    file: string | undefined,
    sources: OutputsSources,
  ) => Promise<RunbookOutputs>;
  /** Reads the published outputs parameter. @default GetParameter (@aws-sdk/client-ssm) */
  readonly readParameter?: OutputsSources['readParameter'];
  /** The last resort for the outputs. @default `pulumi stack output --json --stack <env>` */
  readonly readStack?: OutputsSources['readStack'];
  /** @default `user@host` */
  readonly owner?: string;
  /** @default a random UUID per call */
  readonly invocation?: string;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Overrides the timings given by flags (tests poll faster). */
  readonly timings?: Partial<StepTimings>;
  readonly afterEffect?: (ref: StepRef) => Promise<void> | void;
  /** Receives the result object (tests and drill:local inspect it). */
  readonly onResult?: (result: CommandResult) => void;
  /** Where `guard` reads `Pulumi.<env>.yaml`. @default the repository's `environments/` */
  readonly environmentsDir?: string;
}

/** How the CLI wants its clients built. */
export interface ClientOptions {
  /** `--kube-context-from-kubeconfig` gives `kubeconfig`. */
  readonly kube: KubeCredentials;
}

export type CommandResult =
  | OperationResult
  | DrillResult
  | GuardResult
  | AbortResult
  | GateResult
  | Awaited<ReturnType<typeof readStatus>>;

interface CommonOptions {
  env: string;
  outputs?: string;
  json?: boolean;
  kubeContextFromKubeconfig?: boolean;
}
interface ChangeOptions extends CommonOptions {
  to?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  ignoreCanary?: boolean;
  reason?: string;
  timeout: string;
  verifyTimeout: string;
  leaseSeconds: string;
  maxRunAge?: string;
  minCapacity: string;
}
interface DrillOptions extends ChangeOptions {
  report?: string;
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,30}$/;

function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(flag, value, 'a positive number of seconds');
  return n * 1000;
}

/** `--env` first: it must name an environment with a stack file, before anything else is read. */
function validateCommon(o: CommonOptions, environmentsDir?: string): void {
  const known = listEnvironments(environmentsDir);
  if (!ENV_NAME.test(o.env) || !known.includes(o.env))
    throw new UsageError('--env', o.env, `one of the environments (${known.join(', ')})`);
}

function validateChange(o: ChangeOptions, environmentsDir?: string): void {
  validateCommon(o, environmentsDir);
  if (o.force && !o.reason?.trim())
    throw new UsageError(
      '--reason',
      o.reason,
      'a non-empty reason with --force (it is recorded in the audit)',
    );
  if (o.ignoreCanary && !o.reason?.trim())
    throw new UsageError(
      '--reason',
      o.reason,
      'a non-empty reason with --ignore-canary (it is recorded in the audit)',
    );
  if (o.reason && !o.force && !o.ignoreCanary)
    throw new UsageError('--reason', o.reason, '--reason only together with --force or --ignore-canary');
  minCapacity(o);
}

/** `--min-capacity`: an integer percentage from 1 to 100 (issue 16 finding 7). */
function minCapacity(o: Pick<ChangeOptions, 'minCapacity'>): number {
  const pct = parseMinCapacity(o.minCapacity);
  if (pct === undefined)
    throw new UsageError(
      '--min-capacity',
      o.minCapacity,
      "a whole percentage from 1 to 100 (the share of each Deployment's full minimum that must be ready before the flip)",
    );
  return pct;
}

/** Builds the `dr` program. Exposed for in-process tests; `cli.ts` runs it on process.argv. */
export function buildProgram(deps: ProgramDeps, setExit: (code: ExitCode) => void): Command {
  const { io } = deps;
  const program = new Command('dr')
    .description('Disaster-recovery runbook: status, failover, failback and drills (see docs/RUNBOOK.md)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  const common = (cmd: Command) =>
    cmd
      .requiredOption('--env <env>', 'environment (dev, staging, prod)')
      .option(
        '--outputs <file>',
        'stack outputs JSON ({ "runbook": ... } or the bare object); default: SSM /risk-platform/<env>/runbook-outputs (target region, then the other), then pulumi stack output',
      )
      .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
      .option(
        '--kube-context-from-kubeconfig',
        "use the local kubeconfig's context named cluster.kubeContext instead of building one from the outputs",
      );
  const change = (cmd: Command) =>
    common(cmd)
      .option('--to <region>', 'target region (default: DR for failover and drill, primary for failback)')
      .option('--dry-run', 'print the planned steps and the read-only preflight checks; write nothing')
      .option('--yes', 'do not ask for confirmation')
      .option('--force', 'override a failed preflight (requires --reason, recorded in the audit)')
      .option(
        '--ignore-canary',
        'proceed although the canary sees the target failing (this check only; requires --reason, recorded in the audit)',
      )
      .option('--reason <text>', 'why --force or --ignore-canary is needed')
      .addOption(new Option('--timeout <seconds>', 'readiness timeout for the scale-up').default('600'))
      .addOption(new Option('--verify-timeout <seconds>', 'health-check convergence timeout').default('300'))
      .addOption(new Option('--lease-seconds <seconds>', 'lock lease, renewed while running').default('60'))
      .addOption(
        new Option(
          '--max-run-age <seconds>',
          'an open run older than this is not resumed before its flip',
        ).default('3600'),
      )
      .addOption(
        new Option(
          '--min-capacity <pct>',
          "flip once this percentage of every Deployment's full minimum is ready (1-100); scale-up keeps scaling to full",
        ).default('100'),
      );

  /** The regions to read the published outputs from: `first` (the target) first, then the other. */
  const regionsOf = (env: string, first: (sites: { primary: string; dr: string }) => string) => () => {
    const { config } = readEnvironmentConfig(env, deps.environmentsDir);
    const regions = config.sites.map((s) => s.region);
    const primary = config.sites.find((s) => s.role === 'primary')?.region ?? regions[0];
    const dr = config.sites.find((s) => s.role === 'dr')?.region ?? regions[1];
    const head = first({ primary, dr });
    return [head, ...regions.filter((r) => r !== head)];
  };
  const prepare = async (
    o: CommonOptions,
    target: (sites: { primary: string; dr: string }) => string = (s) => s.dr,
  ) => {
    const progress = new Progress({ write: (l) => (o.json ? io.stderr : io.stdout)(`${l}\n`) });
    const outputs = await (deps.loadOutputs ?? loadOutputs)(o.env, o.outputs, {
      regions: regionsOf(o.env, target),
      readParameter: deps.readParameter,
      readStack: deps.readStack,
      onSource: (source) => progress.log(`outputs: ${source}`),
    });
    const clients = deps.clients(outputs, { kube: o.kubeContextFromKubeconfig ? 'kubeconfig' : 'outputs' });
    return { outputs, progress, clients };
  };
  /** Prints the result; `extra` fields (e.g. `reportPath`) join it in the JSON. */
  const finish = (o: CommonOptions, result: CommandResult, text: string, extra: object = {}) => {
    deps.onResult?.(result);
    if (o.json) io.stdout(`${JSON.stringify({ ...result, ...extra }, null, 2)}\n`);
    else io.stdout(`${text}\n`);
  };
  const runnerDeps = (o: ChangeOptions, base: Awaited<ReturnType<typeof prepare>>): RunnerDeps => {
    const leaseMs = seconds('--lease-seconds', o.leaseSeconds);
    return {
      ...base,
      owner: deps.owner ?? `${userInfo().username}@${hostname()}`,
      invocation: deps.invocation ?? randomUUID(),
      lease: { leaseMs, waitMs: leaseMs + 5000 },
      maxRunAgeMs: seconds('--max-run-age', o.maxRunAge ?? '3600'),
      minCapacityPct: minCapacity(o),
      timings: {
        pollMs: 5000,
        progressMs: PROGRESS_EVERY_MS,
        readinessTimeoutMs: seconds('--timeout', o.timeout),
        verifyTimeoutMs: seconds('--verify-timeout', o.verifyTimeout),
        ...deps.timings,
      },
      now: deps.now,
      sleep: deps.sleep,
      afterEffect: deps.afterEffect,
    };
  };
  const confirmIfNeeded = async (o: ChangeOptions, what: string) => {
    if (o.dryRun || o.yes) return;
    await confirm(io.stdin, io.prompt, what, o.env);
  };

  common(
    program
      .command('status')
      .description(
        'routing controls, replication, streams, queues, workloads and the active region, per region',
      ),
  ).action(async (o: CommonOptions) => {
    validateCommon(o, deps.environmentsDir);
    const { outputs, clients } = await prepare(o);
    const status = await readStatus(outputs, clients, (deps.now ?? (() => new Date()))());
    finish(o, status, renderStatus(status));
    // The table always prints; a region that did not answer makes the status incomplete, and an
    // inconsistency (e.g. routing On in a fenced region) needs someone to act: both exit 1.
    setExit(
      status.unreachable.length === 0 && status.inconsistencies.length === 0 ? ExitCode.Ok : ExitCode.Failed,
    );
  });

  common(
    program
      .command('guard')
      .description(
        "pre-deploy check: the stack config's dr.activeRegion must match the live active-region record (exit 1 if not)",
      ),
  )
    .option(
      '--allow-one-region',
      "accept the copy of a region that is not the config's active region when it is the only one that answers (recorded in the output)",
    )
    .action(async (o: CommonOptions & { allowOneRegion?: boolean }) => {
      validateCommon(o, deps.environmentsDir);
      const { config, source, explicit } = readEnvironmentConfig(o.env, deps.environmentsDir);
      const outputs = await loadDeployedOutputs(o.env, o.outputs, {
        regions: regionsOf(o.env, () => config.activeRegion),
        readParameter: deps.readParameter,
        readStack: deps.readStack,
        onSource: (s) => (o.json ? io.stderr : io.stdout)(`outputs: ${s}\n`),
      });
      const result = await runGuard({
        config,
        configSource: source,
        configExplicit: explicit,
        outputs,
        clients: (out) => deps.clients(out, { kube: o.kubeContextFromKubeconfig ? 'kubeconfig' : 'outputs' }),
        allowOneRegion: Boolean(o.allowOneRegion),
      });
      finish(o, result, renderGuard(result));
      setExit(result.status === 'agree' || result.status === 'no-record' ? ExitCode.Ok : ExitCode.Failed);
    });

  common(
    program
      .command('gate')
      .description(
        "deploy gate after a region's stack: routing control, workloads ready, synthetic score, heartbeat (exit 1 stops the rollout)",
      ),
  )
    .requiredOption('--region <region>', 'the region just deployed')
    .addOption(
      new Option('--bake <seconds>', 'keep re-checking for this long (the bake period)').default('0'),
    )
    .addOption(new Option('--interval <seconds>', 'time between rounds while baking').default('30'))
    .action(async (o: CommonOptions & { region: string; bake: string; interval: string }) => {
      validateCommon(o, deps.environmentsDir);
      const { config } = readEnvironmentConfig(o.env, deps.environmentsDir);
      const regions: string[] = [config.regions.primary.region, config.regions.dr.region];
      if (!regions.includes(o.region)) {
        throw new UsageError('--region', o.region, `one of ${o.env}'s regions (${regions.join(', ')})`);
      }
      const bake = Number(o.bake);
      if (!Number.isFinite(bake) || bake < 0)
        throw new UsageError('--bake', o.bake, 'a number of seconds >= 0');
      const intervalMs = seconds('--interval', o.interval);
      const { outputs, clients, progress } = await prepare(o, () => o.region);
      const now = deps.now ?? (() => new Date());
      const result = await runGate(
        {
          outputs,
          clients,
          readStatus: () => readStatus(outputs, clients, now()),
          now,
          sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
          log: (l) => progress.log(l),
        },
        {
          region: o.region,
          activeRegion: config.activeRegion,
          bakeMs: bake * 1000,
          intervalMs,
          id: deps.invocation ?? randomUUID(),
        },
      );
      finish(o, result, renderGate(result));
      setExit(result.verdict === 'pass' ? ExitCode.Ok : ExitCode.Failed);
    });

  for (const kind of ['failover', 'failback'] as const satisfies readonly OperationKind[]) {
    change(
      program
        .command(kind)
        .description(
          kind === 'failover'
            ? 'move traffic and writes to the DR region'
            : 'move traffic and writes back to the primary region, restoring DR to standby',
        ),
    ).action(async (o: ChangeOptions) => {
      validateChange(o, deps.environmentsDir);
      const base = await prepare(o, (s) => o.to ?? (kind === 'failover' ? s.dr : s.primary));
      const op = resolveOperation(base.outputs, kind, o.to);
      const rd = runnerDeps(o, base);
      await confirmIfNeeded(o, `${kind} ${o.env} from ${op.from} to ${op.to}`);
      const result = withConfiguredRegion(
        await runOperation(rd, {
          op,
          dryRun: Boolean(o.dryRun),
          forceReason: o.force ? o.reason : undefined,
          ignoreCanaryReason: o.ignoreCanary ? o.reason : undefined,
        }),
        configuredActiveRegion(o.env, deps.environmentsDir),
      );
      finish(o, result, renderOperation(result));
      // A dry run that says the run would be refused exits 1, like the run would (issue 16 finding 14).
      setExit(
        result.status === 'completed' || (result.status === 'planned' && !result.wouldRefuse)
          ? ExitCode.Ok
          : ExitCode.Failed,
      );
    });
  }

  common(
    program
      .command('abort')
      .description(
        'close an unfinished failover or failback whose flip never happened: unfence, close the run, unlock',
      ),
  )
    .option('--to <region>', "only look in this region's journal (default: both regions)")
    .option('--yes', 'do not ask for confirmation')
    .addOption(new Option('--lease-seconds <seconds>', 'lock lease while aborting').default('60'))
    .action(async (o: CommonOptions & { to?: string; yes?: boolean; leaseSeconds: string }) => {
      const change: ChangeOptions = { ...o, timeout: '600', verifyTimeout: '300', minCapacity: '100' };
      validateChange(change, deps.environmentsDir);
      const base = await prepare(o, (s) => o.to ?? s.dr);
      const rd = runnerDeps(change, base);
      await confirmIfNeeded(change, `abort the unfinished run of ${o.env}`);
      const result = await runAbort(rd, { to: o.to });
      finish(o, result, renderAbort(result));
      setExit(result.status === 'aborted' ? ExitCode.Ok : ExitCode.Failed);
    });

  change(
    program
      .command('drill')
      .description('failover then failback; reports RTO per step and in total, and the observed RPO'),
  )
    .option(
      '--report <file>',
      'also write a Markdown report with a Mermaid timeline of the steps (directories are created)',
    )
    .action(async (o: DrillOptions) => {
      validateChange(o, deps.environmentsDir);
      if (o.report !== undefined) prepareReportFile(o.report);
      const base = await prepare(o, (s) => o.to ?? s.dr);
      const op = resolveOperation(base.outputs, 'failover', o.to);
      const rd = runnerDeps(o, base);
      await confirmIfNeeded(o, `drill ${o.env}: fail over from ${op.from} to ${op.to} and back`);
      const drilled = await runDrill(rd, {
        to: o.to,
        dryRun: Boolean(o.dryRun),
        forceReason: o.force ? o.reason : undefined,
        ignoreCanaryReason: o.ignoreCanary ? o.reason : undefined,
      });
      const configured = configuredActiveRegion(o.env, deps.environmentsDir);
      const result: DrillResult = {
        ...drilled,
        failover: withConfiguredRegion(drilled.failover, configured),
        failback: drilled.failback && withConfiguredRegion(drilled.failback, configured),
      };
      // The drill has run: a report that cannot be written is an error, but the result is still printed.
      let reportPath: string | undefined;
      let reportError: string | undefined;
      if (o.report !== undefined) {
        try {
          writeReportFile(o.report, drillMarkdown(result));
          reportPath = o.report;
        } catch (err) {
          reportError = `--report: could not write ${o.report}: ${(err as Error).message}`;
        }
      }
      finish(
        o,
        result,
        `${renderDrill(result)}${reportPath ? `\n\nreport: ${reportPath}` : ''}`,
        reportPath ? { reportPath } : {},
      );
      if (reportError) io.stderr(`error: ${reportError}\n`);
      setExit(
        !reportError &&
          (result.status === 'completed' || (result.status === 'planned' && !result.failover.wouldRefuse))
          ? ExitCode.Ok
          : ExitCode.Failed,
      );
    });
  return program;
}

/** The stack config's serving region (`dr.activeRegion`, else the primary), or undefined if unreadable. */
function configuredActiveRegion(env: string, environmentsDir?: string): string | undefined {
  try {
    const { config } = readEnvironmentConfig(env, environmentsDir);
    return config.dr.activeRegion ?? config.regions.primary.region;
  } catch {
    // The follow-up then just prints the command; the guard reports config problems on its own.
    return undefined;
  }
}

/**
 * Runs the program on `argv` (without `node script`) and returns the exit code. Under `--json` stdout
 * always carries one JSON object: the result, or `{ "status": ..., "error": ... }` when the command
 * ended without one (the message also goes to stderr).
 */
export async function runCli(argv: readonly string[], deps: ProgramDeps): Promise<ExitCode> {
  let code: ExitCode = ExitCode.Ok;
  let wroteStdout = false;
  const io: ProgramIO = {
    ...deps.io,
    stdout: (text) => {
      wroteStdout = true;
      deps.io.stdout(text);
    },
  };
  const program = buildProgram({ ...deps, io }, (c) => (code = c));
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  /** Writes `message` on stderr and, under --json with nothing printed yet, the status on stdout. */
  const fail = (exit: ExitCode, status: string, message: string, line: string): ExitCode => {
    deps.io.stderr(line);
    if (json && !wroteStdout) deps.io.stdout(`${JSON.stringify({ status, error: message }, null, 2)}\n`);
    return exit;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return ExitCode.Ok;
      // commander has already printed the message (and the help) on stderr.
      if (json && !wroteStdout)
        deps.io.stdout(`${JSON.stringify({ status: 'usage', error: err.message }, null, 2)}\n`);
      return ExitCode.Usage;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      return fail(ExitCode.Usage, 'usage', err.message, `error: ${err.message}\n`);
    }
    if (err instanceof NotConfirmed) {
      return fail(ExitCode.Failed, 'refused', err.message, `refused: ${err.message}\n`);
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return fail(ExitCode.Failed, 'failed', message, `failed: ${message}\n`);
  }
}
