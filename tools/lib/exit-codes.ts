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

/** A received value as an error message shows it: JSON, cut to 120 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

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
    super(`${argument}: received ${describeValue(received)}, expected ${expected}`);
    this.name = 'UsageError';
  }
}
