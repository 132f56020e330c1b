import { Command, CommanderError } from 'commander';
import { parseArgs } from '../../tools/lib/args';
import { UsageError } from '../../tools/lib/exit-codes';

/** A command shaped like the repository's CLIs: one positional argument and two options. */
const command = () =>
  new Command('policy')
    .argument('<resources.json>', 'a plan file written by npm run plan')
    .option('--json', 'print JSON')
    .option('--config <file>', 'policy pack config');

function errorOf(argv: string[]): Error {
  try {
    parseArgs(command(), argv);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parseArgs', () => {
  test('parses valid arguments', () => {
    const cmd = parseArgs(command(), ['plan.json', '--json']);
    expect(cmd.args).toEqual(['plan.json']);
    expect(cmd.opts()).toEqual({ json: true });
  });

  test('names an unknown option, the value and the options expected', () => {
    const err = errorOf(['plan.json', '--bogus']);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      '--bogus: received "--bogus", expected one of the options --json, --config <file>, --help',
    );
  });

  test('names a missing positional argument and what it should be', () => {
    expect(errorOf([]).message).toBe(
      '<resources.json>: received nothing, expected a plan file written by npm run plan',
    );
  });

  test('names extra positional arguments', () => {
    expect(errorOf(['a.json', 'b.json']).message).toBe(
      'arguments: received "a.json b.json", expected exactly <resources.json>',
    );
  });

  test('names an option missing its value', () => {
    expect(errorOf(['plan.json', '--config']).message).toBe(
      '--config: received nothing, expected a value: --config <file> (policy pack config)',
    );
  });

  test('lets --help through as commander reports it (exit 0)', () => {
    const cmd = command().configureOutput({ writeOut: () => undefined });
    let err: unknown;
    try {
      parseArgs(cmd, ['--help']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.helpDisplayed');
  });
});
