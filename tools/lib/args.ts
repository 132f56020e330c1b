import { Command, CommanderError } from 'commander';
import { UsageError } from './exit-codes';

/**
 * Parses `argv` with a commander command and turns commander's usage errors into a {@link UsageError}
 * that names the argument, the value received and what was expected, like every other error of the
 * repository's CLIs. `--help` still prints and exits 0 (commander's `helpDisplayed` is rethrown).
 */
export function parseArgs(cmd: Command, argv: readonly string[]): Command {
  cmd.exitOverride().configureOutput({ writeErr: () => undefined });
  try {
    return cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    throw err instanceof CommanderError ? usageErrorFrom(err, cmd, argv) : err;
  }
}

/** The commander error as a UsageError; help and version displays pass through unchanged. */
export function usageErrorFrom(err: CommanderError, cmd: Command, argv: readonly string[]): Error {
  const options = cmd.options.map((o) => o.flags).join(', ');
  const quoted = (re: RegExp) => re.exec(err.message)?.[1];
  switch (err.code) {
    case 'commander.unknownOption': {
      const option = quoted(/unknown option '([^']+)'/) ?? '?';
      return new UsageError(option, option, `one of the options ${options}, --help`);
    }
    case 'commander.excessArguments': {
      const expected = cmd.registeredArguments.map((a) => `<${a.name()}>`).join(' ');
      const positional = argv.filter((a) => !a.startsWith('-'));
      return new UsageError(
        'arguments',
        positional.join(' '),
        expected ? `exactly ${expected}` : `no positional arguments (usage: ${cmd.name()} ${cmd.usage()})`,
      );
    }
    case 'commander.missingArgument': {
      const name = quoted(/missing required argument '([^']+)'/) ?? 'argument';
      const arg = cmd.registeredArguments.find((a) => a.name() === name);
      return new UsageError(`<${name}>`, undefined, arg?.description || `a value for <${name}>`);
    }
    case 'commander.optionMissingArgument': {
      const flags = quoted(/option '([^']+)' argument missing/) ?? 'option';
      const option = cmd.options.find((o) => o.flags === flags);
      const description = option?.description ? ` (${option.description})` : '';
      return new UsageError(flags.split(/[ ,]/)[0], undefined, `a value: ${flags}${description}`);
    }
    case 'commander.helpDisplayed':
    case 'commander.version':
      return err;
    default:
      return new UsageError('arguments', argv.join(' '), `usage: ${cmd.name()} ${cmd.usage()}`);
  }
}
