import { spawn } from 'node:child_process';
import { formatMs, textTable } from '../lib/progress';

/**
 * `npm test`'s engine: the type check, the linters and jest run at the same time instead of one
 * after another (issue 14: `npm test` within 90 s on 2 cores). tsc is single-threaded and the
 * linters wait on file reads, so running them beside jest fills the cores that jest's two workers
 * leave idle while DR suites wait on the local emulators.
 *
 * Output: jest (the `stream` check) writes through as it runs; every other check is buffered and
 * printed whole when it ends, under one line `[check] <name> ok|FAILED (exit N) in 12.34 s`, so
 * outputs never interleave. A summary table follows; the exit code is the first failing check's in
 * the order given, else 0.
 */
export interface Check {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Write its output through while it runs (at most one check should). @default false */
  readonly stream?: boolean;
}

export interface CheckResult {
  readonly name: string;
  readonly code: number;
  readonly ms: number;
}

export interface CheckIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now?: () => number;
  readonly cwd?: string;
}

/**
 * Colours only for the streamed check on a terminal; buffered output is plain text (prettier ignores
 * `FORCE_COLOR=0`, so colours are turned off with `NO_COLOR`, https://no-color.org).
 */
export function colourEnv(colour: boolean, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return colour ? { ...env, FORCE_COLOR: '1' } : { ...env, NO_COLOR: '1' };
}

/** Runs one check as a child process; a process that cannot start counts as exit 127. */
function runOne(check: Check, io: CheckIo): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    let failedToStart = false;
    const child = spawn(check.command, [...check.args], {
      cwd: io.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: colourEnv(check.stream === true && process.stdout.isTTY === true),
    });
    child.stdout.on('data', (d: Buffer) => (check.stream ? io.stdout(d.toString()) : (out += d.toString())));
    child.stderr.on('data', (d: Buffer) => (check.stream ? io.stderr(d.toString()) : (out += d.toString())));
    child.on('error', (err) => {
      failedToStart = true;
      out += `${check.command}: ${err.message}\n`;
    });
    child.on('close', (code, signal) =>
      resolve({ code: failedToStart ? 127 : (code ?? (signal ? 128 : 1)), out }),
    );
  });
}

/** Runs every check at once and reports each as it ends. */
export async function runChecks(
  checks: readonly Check[],
  io: CheckIo,
): Promise<{ code: number; results: CheckResult[] }> {
  const now = io.now ?? (() => performance.now());
  const t0 = now();
  const results = await Promise.all(
    checks.map(async (check) => {
      const { code, out } = await runOne(check, io);
      const ms = now() - t0;
      if (out) io.stdout(out.endsWith('\n') ? out : `${out}\n`);
      io.stdout(`[check] ${check.name} ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${formatMs(ms)}\n`);
      return { name: check.name, code, ms };
    }),
  );
  io.stdout(
    `\n${textTable(
      ['check', 'result', 'finished after'],
      results.map((r) => [r.name, r.code === 0 ? 'ok' : `exit ${r.code}`, formatMs(r.ms)]),
    )}\n`,
  );
  const failed = results.find((r) => r.code !== 0);
  io.stdout(
    failed
      ? `[check] FAILED: ${results
          .filter((r) => r.code !== 0)
          .map((r) => r.name)
          .join(', ')}\n`
      : `[check] all ${results.length} checks passed in ${formatMs(now() - t0)}\n`,
  );
  return { code: failed ? failed.code : 0, results };
}

/** The repository's checks; `jestArgs` are passed to jest (e.g. `--json --outputFile=...`). */
export function repositoryChecks(jestArgs: readonly string[]): Check[] {
  const bin = (name: string) => `node_modules/.bin/${name}`;
  return [
    { name: 'typecheck', command: bin('tsc'), args: ['--noEmit'] },
    { name: 'eslint', command: bin('eslint'), args: ['.'] },
    { name: 'prettier', command: bin('prettier'), args: ['--check', '.', '--log-level', 'warn'] },
    { name: 'jest', command: bin('jest'), args: [...jestArgs], stream: true },
  ];
}
