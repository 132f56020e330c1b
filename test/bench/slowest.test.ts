import * as fs from 'fs';
import * as path from 'path';
import { main, renderSlowest } from '../../tools/bench/cli';
import { readJestResults, slowestSuites } from '../../tools/bench/slowest';
import { exitCodeFor } from '../../tools/lib/main';
import { runCli } from '../diff/cli-run';
import { tempDir } from '../helpers/tmp';

const CWD = '/repo';
/** A jest --json result with seven suites; times in ms since the epoch, as jest writes them. */
const RESULTS = {
  startTime: 1_000_000,
  testResults: (
    [
      ['a.test.ts', 1_000, 3_500], // 2.5 s
      ['b.test.ts', 1_000, 35_250], // 34.25 s
      ['c.test.ts', 2_000, 2_400], // 0.4 s
      ['d.test.ts', 0, 9_994], // 9.994 s -> 9.99
      ['e.test.ts', 0, 12_000], // 12 s
      ['f.test.ts', 0, 2_500], // 2.5 s, ties with a
      ['g.test.ts', 0, 100], // 0.1 s
    ] as [string, number, number][]
  ).map(([f, startTime, endTime]: [string, number, number]) => ({
    name: `${CWD}/test/x/${f}`,
    startTime,
    endTime,
    status: 'passed',
    assertionResults: [],
  })),
};

function writeResults(data: unknown): string {
  const file = path.join(tempDir('bench-results-'), 'jest-results.json');
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

describe('slowestSuites', () => {
  test('lists the five slowest suites, slowest first, in seconds, ties by name, paths relative', () => {
    expect(slowestSuites(RESULTS, 5, CWD)).toEqual([
      { suite: 'test/x/b.test.ts', seconds: 34.25 },
      { suite: 'test/x/e.test.ts', seconds: 12 },
      { suite: 'test/x/d.test.ts', seconds: 9.99 },
      { suite: 'test/x/a.test.ts', seconds: 2.5 },
      { suite: 'test/x/f.test.ts', seconds: 2.5 },
    ]);
  });

  test('keeps a path outside the working directory as it is', () => {
    expect(slowestSuites(RESULTS, 1, '/elsewhere')).toEqual([
      { suite: `${CWD}/test/x/b.test.ts`, seconds: 34.25 },
    ]);
  });

  test('renders a table, or says how to get the results', () => {
    expect(renderSlowest(slowestSuites(RESULTS, 2, CWD), 'dist/jest-results.json')).toBe(
      [
        'slowest test suites (dist/jest-results.json):',
        'suite             seconds',
        '----------------  -------',
        'test/x/b.test.ts  34.25',
        'test/x/e.test.ts  12.00',
        '',
      ].join('\n'),
    );
    expect(renderSlowest(undefined, 'dist/jest-results.json')).toBe(
      'slowest test suites: no dist/jest-results.json; write it with `npm test -- --json --outputFile=dist/jest-results.json` (.ci/run does)',
    );
  });
});

describe('readJestResults', () => {
  test('a missing default file is no results; a missing named file is bad input', () => {
    expect(readJestResults('no/such.json', false)).toBeUndefined();
    expect(() => readJestResults('no/such.json', true)).toThrow(
      '--jest-results: received "no/such.json", expected an existing file written by jest --json --outputFile=<file>',
    );
  });

  test('a malformed file names the field', () => {
    const file = writeResults({ testResults: [{ name: 'a.test.ts', startTime: 1 }] });
    expect(() => readJestResults(file, false)).toThrow(
      `--jest-results ${file}.testResults[0].endTime: received nothing, expected jest --json output`,
    );
  });
});

describe('npm run bench -- --suites-only', () => {
  test('prints the five slowest suites of the named results', async () => {
    const file = writeResults(RESULTS);
    const { code, stdout } = await runCli(main, ['--suites-only', '--jest-results', file]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`slowest test suites (${file}):`);
    expect(lines.slice(3, 8).map((l) => l.split(/\s+/)[1])).toEqual([
      '34.25',
      '12.00',
      '9.99',
      '2.50',
      '2.50',
    ]);
  });

  test('--json carries the slowest suites', async () => {
    const file = writeResults(RESULTS);
    const { stdout } = await runCli(main, ['--suites-only', '--jest-results', file, '--json']);
    const r = JSON.parse(stdout) as {
      environments: unknown[];
      slowestSuites: { seconds: number }[];
      jestResults: string;
    };
    expect(r.environments).toEqual([]);
    expect(r.slowestSuites.map((s) => s.seconds)).toEqual([34.25, 12, 9.99, 2.5, 2.5]);
    expect(r.jestResults).toBe(file);
  });

  test('a named results file that does not exist exits 2', async () => {
    const err = await main(['--suites-only', '--jest-results', 'no/such.json']).catch((e: unknown) => e);
    expect(exitCodeFor(err)).toBe(2);
    expect((err as Error).message).toMatch(/^--jest-results: received "no\/such.json"/);
  });
});
