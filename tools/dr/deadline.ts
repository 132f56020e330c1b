/** A call that did not finish within its deadline (an impaired region's endpoint that hangs). */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/**
 * Runs `fn` with an AbortSignal that fires after `ms`, and rejects with {@link DeadlineExceeded}
 * (naming `what` and the deadline) at that moment even if `fn` ignores the signal: a hung socket or
 * credential plugin costs at most `ms`, never the caller's whole run.
 */
export async function withDeadline<T>(
  what: string,
  ms: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineExceeded(`${what}: no answer within ${ms / 1000} s`);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
