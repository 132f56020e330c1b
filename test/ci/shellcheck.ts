import { spawnSync } from 'node:child_process';

/** One problem shellcheck reports (its `json1` format). */
export interface ShellFinding {
  readonly line: number;
  readonly column: number;
  readonly level: string;
  readonly code: number;
  readonly message: string;
}

/** Why shellcheck cannot run here, or undefined when it can. */
export function shellcheckMissing(): string | undefined {
  const r = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : 'shellcheck is not installed: `sudo apt-get install -y shellcheck` (Debian/Ubuntu); .ci/run installs it';
}

/**
 * Checks one script with the system shellcheck, as `shell` (`bash` or `sh`). A `${{ … }}` GitHub
 * expression is replaced by a plain word first, as actionlint does before it calls shellcheck: the
 * runner substitutes it before the shell sees the script.
 */
export function shellcheck(script: string, shell: 'bash' | 'sh'): ShellFinding[] {
  const input = script.replace(/\$\{\{[^}]*\}\}/g, 'GHA_EXPRESSION');
  const r = spawnSync('shellcheck', ['--format=json1', `--shell=${shell}`, '-'], { input, encoding: 'utf8' });
  if (r.error || (r.status !== 0 && r.status !== 1)) {
    throw new Error(`shellcheck failed (status ${r.status}): ${r.error?.message ?? r.stderr}`);
  }
  return (JSON.parse(r.stdout) as { comments: ShellFinding[] }).comments;
}

/** Every `[sh, -c, script]` command anywhere in a manifest: container commands and exec probes. */
export function shellCommands(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (value.length >= 3 && /^(\/bin\/)?sh$/.test(String(value[0])) && value[1] === '-c') {
      found.push(String(value[2]));
    }
    for (const v of value) shellCommands(v, found);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) shellCommands(v, found);
  }
  return found;
}
