/** Exit codes shared by every command-line tool in the repository (DESIGN.md §3.4). */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** A mandatory policy was violated, or an operation failed or was refused. */
  Failed: 1,
  /** Invalid configuration, arguments or input. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Bad arguments or input: the CLI prints the message and exits 2 before doing anything.
 * The message names the argument, the value received and what was expected.
 */
export class UsageError extends Error {
  constructor(
    readonly argument: string,
    readonly received: unknown,
    readonly expected: string,
  ) {
    super(
      `${argument}: received ${received === undefined ? 'nothing' : JSON.stringify(received)}, expected ${expected}`,
    );
    this.name = 'UsageError';
  }
}
