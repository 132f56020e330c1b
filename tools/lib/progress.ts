/**
 * Operator-facing progress: one line per step with its elapsed time, then a summary table.
 * With `json: true` nothing is printed to stdout while running (lines go to stderr), so the
 * machine-readable result printed at the end is the only thing on stdout.
 */
export interface ProgressOptions {
  /** Print progress lines to stderr instead of stdout (for `--json`). @default false */
  readonly json?: boolean;
  /** Where lines go. @default process.stdout / process.stderr */
  readonly write?: (line: string) => void;
  /** Clock in milliseconds. @default performance.now */
  readonly now?: () => number;
}

export interface StepRecord {
  readonly name: string;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly ms: number;
  readonly detail?: string;
}

/** Formats milliseconds as `812 ms` or `3.42 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export class Progress {
  readonly steps: StepRecord[] = [];
  private readonly write: (line: string) => void;
  private readonly now: () => number;
  private readonly started: number;

  constructor(opts: ProgressOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.write =
      opts.write ??
      (opts.json ? (l) => process.stderr.write(`${l}\n`) : (l) => process.stdout.write(`${l}\n`));
    this.started = this.now();
  }

  /** Prints a free line (a heading, a note). */
  log(line: string): void {
    this.write(line);
  }

  /** Runs one step, printing `[n] name ... ok (123 ms)` or `failed`, and records it. */
  async step<T>(name: string, fn: () => Promise<T> | T, detail?: (result: T) => string): Promise<T> {
    const t0 = this.now();
    const n = this.steps.length + 1;
    try {
      const result = await fn();
      const ms = this.now() - t0;
      const d = detail?.(result);
      this.steps.push({ name, status: 'ok', ms, detail: d });
      this.write(`[${n}] ${name} ... ok (${formatMs(ms)})${d ? ` - ${d}` : ''}`);
      return result;
    } catch (err) {
      const ms = this.now() - t0;
      const d = err instanceof Error ? err.message.split('\n')[0] : String(err);
      this.steps.push({ name, status: 'failed', ms, detail: d });
      this.write(`[${n}] ${name} ... FAILED (${formatMs(ms)}) - ${d}`);
      throw err;
    }
  }

  /** Milliseconds since this reporter was created. */
  elapsed(): number {
    return this.now() - this.started;
  }
}

/** Renders rows as an aligned plain-text table (for terminal summaries). */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Renders rows as a Markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${headers.map(esc).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
