import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/tmp';
import { Check, colourEnv, repositoryChecks, runChecks } from '../../tools/check/run';

/** `npm test`'s engine (issue 14): checks run at once, buffered except the streamed one. */
const node = (name: string, script: string, stream = false): Check => ({
  name,
  command: process.execPath,
  args: ['-e', script],
  stream,
});

async function run(checks: Check[]) {
  let out = '';
  let err = '';
  const r = await runChecks(checks, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { ...r, out, err };
}

test('runs the checks concurrently: their run times overlap', async () => {
  const timed = 'const s = Date.now(); setTimeout(() => console.log(JSON.stringify([s, Date.now()])), 500)';
  const r = await run([node('a', timed), node('b', timed)]);
  expect(r.code).toBe(0);
  const [[a0, a1], [b0, b1]] = [...r.out.matchAll(/^\[(\d+),(\d+)\]$/gm)].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);
  // Each started before the other ended: run one after the other, one would start after the other's end.
  expect(a0).toBeLessThan(b1);
  expect(b0).toBeLessThan(a1);
  expect(r.out).toMatch(/\[check\] all 2 checks passed in /);
});

test('buffers a check and prints its output whole under its result line', async () => {
  const r = await run([node('lint', 'console.log("line 1"); console.error("line 2"); process.exit(3)')]);
  expect(r.code).toBe(3);
  expect(r.out).toContain('line 1\nline 2\n[check] lint FAILED (exit 3) in ');
  expect(r.out).toMatch(/\[check\] FAILED: lint\n$/);
  expect(r.err).toBe('');
});

test('streams the streamed check to its own stdout and stderr', async () => {
  const r = await run([node('jest', 'console.log("out"); console.error("err")', true)]);
  expect(r.out.startsWith('out\n')).toBe(true);
  expect(r.err).toBe('err\n');
});

test('the exit code is the first failing check in the given order, and every failure is named', async () => {
  const r = await run([
    node('a', 'process.exit(0)'),
    node('b', 'setTimeout(() => process.exit(4), 200)'),
    node('c', 'process.exit(5)'),
  ]);
  expect(r.code).toBe(4);
  expect(r.results.map((x) => [x.name, x.code])).toEqual([
    ['a', 0],
    ['b', 4],
    ['c', 5],
  ]);
  expect(r.out).toMatch(/\[check\] FAILED: b, c\n$/);
  expect(r.out).toMatch(/check +result +finished after/);
});

test('a command that cannot start fails its check (exit 127) with the reason', async () => {
  const r = await run([{ name: 'missing', command: '/nonexistent/tool', args: [] }]);
  expect(r.code).toBe(127);
  expect(r.out).toMatch(/\/nonexistent\/tool: spawn \/nonexistent\/tool ENOENT/);
});

test('the repository checks are tsc, eslint, prettier and jest, with the arguments going to jest only', () => {
  const checks = repositoryChecks(['--json', '--outputFile=x.json']);
  expect(checks.map((c) => [c.name, c.command, c.args.join(' '), c.stream ?? false])).toEqual([
    ['typecheck', 'node_modules/.bin/tsc', '--noEmit', false],
    ['eslint', 'node_modules/.bin/eslint', '.', false],
    ['prettier', 'node_modules/.bin/prettier', '--check . --log-level warn', false],
    ['jest', 'node_modules/.bin/jest', '--json --outputFile=x.json', true],
  ]);
});

test('buffered checks run without colours, the streamed one on a terminal with them', () => {
  const base = { PATH: '/bin', FORCE_COLOR: '0', NO_COLOR: '' };
  expect(colourEnv(false, base)).toEqual({ PATH: '/bin', NO_COLOR: '1' });
  expect(colourEnv(true, base)).toEqual({ PATH: '/bin', FORCE_COLOR: '1' });
});

test('a buffered check prints no escape codes even when the parent forces colours', async () => {
  const dir = tempDir('check-colour-');
  const file = path.join(dir, 'ugly.ts');
  fs.writeFileSync(file, 'const   x = {a:1}\n');
  const saved = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  try {
    const prettier = path.resolve('node_modules/.bin/prettier');
    const r = await run([{ name: 'p', command: prettier, args: ['--check', file, '--no-config'] }]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^\[warn\] \S*ugly\.ts$/m);
    expect(r.out).not.toContain('\u001b[');
  } finally {
    if (saved === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
