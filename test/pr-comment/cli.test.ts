import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exitCodeFor } from '../../tools/lib/main';
import { main } from '../../tools/pr-comment/cli';
import { tempDir } from '../helpers/tmp';
import { BASE, HEAD } from './samples';

const ROOT = path.join(__dirname, '..', '..');

/** Runs main and returns the exit code and message the CLI process would give. */
async function fails(argv: string[]): Promise<{ code: number; message: string }> {
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await main(argv);
  } catch (e) {
    return { code: exitCodeFor(e), message: (e as Error).message };
  } finally {
    err.mockRestore();
  }
  throw new Error(`main(${argv.join(' ')}) did not fail`);
}

describe('npm run pr-comment: bad arguments exit 2, naming the argument, before writing anything', () => {
  test('a missing --base', async () => {
    expect(await fails(['--head', HEAD])).toEqual({
      code: 2,
      message:
        '--base: received nothing, expected a plan directory (dist/plan, dist/plan/<env>) or a resources.json',
    });
  });

  test('a missing --head', async () => {
    expect((await fails(['--base', BASE])).message).toMatch(/^--head: received nothing, expected a plan/);
  });

  test('a --head that does not exist', async () => {
    const r = await fails(['--base', BASE, '--head', 'no/such/plan']);
    expect(r.code).toBe(2);
    expect(r.message).toMatch(
      /^--head: received "no\/such\/plan", expected an existing plan directory \(dist\/plan, dist\/plan\/<env>\) or a resources.json$/,
    );
  });

  test('an --out that is a directory', async () => {
    const dir = tempDir('pr-comment-out-');
    const r = await fails(['--base', BASE, '--head', HEAD, '--out', dir]);
    expect(r).toEqual({
      code: 2,
      message: `--out: received ${JSON.stringify(dir)}, expected a file path to write the comment to (not a directory)`,
    });
  });

  test('a --sim file that does not exist, and nothing is written', async () => {
    const out = path.join(tempDir('pr-comment-out-'), 'comment.md');
    const r = await fails(['--base', BASE, '--head', HEAD, '--out', out, '--sim', 'no/sim.json']);
    expect(r).toEqual({
      code: 2,
      message:
        '--sim: received "no/sim.json", expected an existing file written by npm run simulate -- --json',
    });
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a --sim file whose verdict is missing names the field', async () => {
    const dir = tempDir('pr-comment-sim-');
    const sim = path.join(dir, 'prod.json');
    fs.writeFileSync(sim, JSON.stringify({ env: 'prod', traces: [{ trace: 'peak', workloads: [] }] }));
    const out = path.join(dir, 'comment.md');
    const r = await fails(['--base', BASE, '--head', HEAD, '--sim', sim, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.message).toMatch(
      new RegExp(`^--sim ${sim}\\.traces\\[0\\]\\.verdict: received nothing, expected \\{ env, traces`),
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an unknown option', async () => {
    const r = await fails(['--base', BASE, '--head', HEAD, '--limit', '10']);
    expect(r.code).toBe(2);
    expect(r.message).toMatch(
      /^--limit: received "--limit", expected one of the options --base <plan>, --head <plan>/,
    );
  });

  test('the real process exits 2 and says which argument (spawned once)', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/.bin/tsx'), 'tools/pr-comment/cli.ts', '--head', HEAD],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --base: received nothing, expected a plan directory');
    expect(r.stdout).toBe('');
  });
});
