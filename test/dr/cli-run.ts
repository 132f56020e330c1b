import { PassThrough } from 'node:stream';
import { Clients } from '../../tools/dr/clients';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { loadOutputsFile } from '../../tools/dr/outputs';
import { CommandResult, ProgramDeps, runCli } from '../../tools/dr/program';
import { ExitCode, UsageError } from '../../tools/lib/exit-codes';
import { FAST, FIXTURE } from './helpers';

export interface CliRun {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
  readonly result?: CommandResult;
}

/**
 * Drives the real `dr` program in-process against the local environment (outputs from the fixture,
 * with the environment's topics and heartbeat interval), non-interactive, fast timings.
 */
export async function runDr(
  env: LocalEnvironment,
  args: string[],
  opts: { clients?: () => Clients; deps?: Partial<ProgramDeps> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let result: CommandResult | undefined;
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const code = await runCli(args, {
    io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin, prompt: new PassThrough() },
    clients: opts.clients ?? (() => env.clients()),
    loadOutputs: async (e, file) => {
      const outputs = await loadOutputsFile(file ?? FIXTURE);
      if (outputs.environment !== e) throw new UsageError('--env', e, 'staging');
      const regions = Object.fromEntries(
        Object.entries(outputs.regions).map(([k, r]) => [
          k,
          { ...r, notificationTopicArn: env.outputs.regions[k].notificationTopicArn },
        ]),
      );
      return { ...outputs, regions, heartbeatIntervalSeconds: env.outputs.heartbeatIntervalSeconds };
    },
    owner: 'test@jest',
    timings: FAST,
    onResult: (r) => (result = r),
    ...opts.deps,
  });
  return { code, stdout, stderr, result };
}
