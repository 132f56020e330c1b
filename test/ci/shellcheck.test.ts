import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drProps, primaryProps, synth } from '../charts/fixtures';
import { shellCommands, shellcheck, ShellFinding, shellcheckMissing } from './shellcheck';
import { parseWorkflow } from './workflow-model';

const WORKFLOWS_DIR = join(__dirname, '..', '..', '.github', 'workflows');
const render = (fs: readonly ShellFinding[]) =>
  fs.map((f) => `${f.line}:${f.column} SC${f.code} ${f.level}: ${f.message}`);

/** Every `run:` script of every workflow, labelled `<file>/<job>/<step>`; GitHub runs them with bash. */
const runScripts: [string, string][] = readdirSync(WORKFLOWS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .flatMap((file) =>
    Object.entries(parseWorkflow(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')).jobs).flatMap(([id, job]) =>
      (job.steps ?? []).flatMap((s, i) =>
        s.run === undefined
          ? []
          : [[`${file}/${id}/${s.name ?? s.id ?? `step ${i + 1}`}`, s.run] as [string, string]],
      ),
    ),
  );

/** Every shell script the charts ship, in either region's manifests (they are POSIX sh): exec probes. */
const chartScripts = [
  ...new Set([...shellCommands(synth(primaryProps())), ...shellCommands(synth(drProps()))]),
];

/** The repository's own shell scripts. */
const CI_RUN = join(__dirname, '..', '..', '.ci', 'run');

describe('shellcheck', () => {
  test('is installed', () => {
    expect(shellcheckMissing()).toBeUndefined();
  });

  test('finds the workflows run: scripts and the charts shell scripts to check', () => {
    expect(runScripts.length).toBeGreaterThanOrEqual(20);
    // The heartbeat's stamp probes (readiness 15 s, liveness 30 s); the writer itself is Node.js now
    expect(chartScripts.length).toBeGreaterThanOrEqual(2);
    expect(chartScripts.filter((s) => s.includes('stat -c %Y'))).toHaveLength(2);
  });

  test.each(runScripts)('%s is clean', (_label, script) => {
    expect(render(shellcheck(script, 'bash'))).toEqual([]);
  });

  test.each(chartScripts.map((s, i) => [i, s]))('chart script %i is clean as POSIX sh', (_i, script) => {
    expect(render(shellcheck(String(script), 'sh'))).toEqual([]);
  });

  test('.ci/run is clean', () => {
    expect(render(shellcheck(readFileSync(CI_RUN, 'utf8'), 'bash'))).toEqual([]);
  });

  test('reports an unquoted expansion and a bashism in sh, so a clean result means something', () => {
    expect(shellcheck('echo $1\n', 'bash').map((f) => f.code)).toEqual([2086]);
    expect(shellcheck('[[ -n "$1" ]] && echo yes\n', 'sh').map((f) => f.code)).toContain(3010);
  });

  test('treats a GitHub expression as a plain word', () => {
    expect(shellcheck('echo "${{ matrix.env }}"\n', 'bash')).toEqual([]);
  });
});
