import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A JSON state file for a stand-in; written synchronously so a crash right after a change keeps it. */
export class Snapshot<T> {
  constructor(private readonly path: string | undefined) {}

  load(fallback: () => T): T {
    if (this.path && existsSync(this.path)) return JSON.parse(readFileSync(this.path, 'utf8')) as T;
    return fallback();
  }

  save(state: T): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, `${JSON.stringify(state, null, 2)}\n`);
  }
}
