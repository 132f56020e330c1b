import { ConfigError } from '../../stacks/config/load';
import { InvalidArgumentError } from '../../stacks/errors';
import { ExitCode, UsageError } from './exit-codes';

/**
 * Runs a CLI's async main and maps failures to the repository's exit codes: 2 for invalid config,
 * arguments or input (UsageError, ConfigError, commander usage errors), 1 for anything else.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = exitCodeFor(err);
      // commander has already printed its own usage errors.
      if (!isCommanderError(err)) console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    },
  );
}

/** The exit code for an error thrown by a CLI. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof InvalidArgumentError) {
    return ExitCode.Usage;
  }
  if (isCommanderError(err)) {
    const code = (err as { code: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? ExitCode.Ok : ExitCode.Usage;
  }
  return ExitCode.Failed;
}

function isCommanderError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('commander.');
}
