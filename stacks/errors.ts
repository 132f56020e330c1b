/**
 * An argument a component or pure function received is invalid: the message names the argument, the
 * value received and what was expected, cdk8s-plus style (`'minReplicas' (11) must be ...`).
 * These come from configuration, so the command-line tools map them to exit code 2, like a
 * ConfigError; any other error is a bug or an operation failure (exit 1).
 */
export class InvalidArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}
