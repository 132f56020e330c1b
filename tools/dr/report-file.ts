import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../lib/exit-codes';

/**
 * Checks `--report <file>` before anything runs: its directory is created if missing and must be
 * writable, and the path must not name a directory.
 * @throws UsageError naming `--report`, the path and what is wrong with it
 */
export function prepareReportFile(file: string): void {
  if (!file.trim() || /[\\/]$/.test(file)) {
    throw new UsageError('--report', file, 'a file path (e.g. drill-staging.md), not a directory');
  }
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way, not a directory'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? `not writable (${code})`
          : (err as Error).message;
    throw new UsageError('--report', file, `a file in a writable directory (${dir}: ${why})`);
  }
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new UsageError('--report', file, 'a file path (e.g. drill-staging.md), not a directory');
  }
}

/** Writes the report, creating its directory. */
export function writeReportFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
