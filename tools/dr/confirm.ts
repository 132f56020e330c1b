import { createInterface } from 'node:readline/promises';

/** Where the CLI reads confirmation from. */
export interface ConfirmInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
}

/** The operator declined or could not be asked: refuse (exit 1). */
export class NotConfirmed extends Error {
  override name = 'NotConfirmed';
}

/**
 * Asks the operator to type the environment name. Refuses when stdin is not a terminal (a pipe
 * or CI): state-changing commands then need `--yes`.
 */
export async function confirm(
  input: ConfirmInput,
  output: NodeJS.WritableStream,
  question: string,
  expected: string,
): Promise<void> {
  if (!input.isTTY) {
    throw new NotConfirmed(`refusing to ${question} without --yes: stdin is not a terminal to confirm on`);
  }
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(
      `About to ${question}. Type the environment name (${expected}) to continue: `,
    );
    if (answer.trim() !== expected)
      throw new NotConfirmed(`not confirmed (typed '${answer.trim()}', expected '${expected}')`);
  } finally {
    rl.close();
  }
}
