import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from '../lib/args';
import { ExitCode } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, Progress } from '../lib/progress';
import { ACK_FILE, readAcknowledgements } from './acknowledgements';
import { blocks, DiffResult, diffPlans } from './diff';
import { loadPlan } from './load';
import { renderDiffText } from './render';

/**
 * Where the head's acknowledgements live: `--ack`, else `acknowledged-replacements.json` in the head
 * plan's directory or one of its parents up to the working directory (the head checkout).
 */
export function ackFileFor(headArg: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  const cwd = path.resolve('.');
  let dir = path.resolve(
    fs.existsSync(headArg) && fs.statSync(headArg).isFile() ? path.dirname(headArg) : headArg,
  );
  for (;;) {
    const file = path.join(dir, ACK_FILE);
    if (fs.existsSync(file)) return file;
    if (dir === cwd || !dir.startsWith(cwd) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  const inCwd = path.join(cwd, ACK_FILE);
  return fs.existsSync(inCwd) ? inCwd : undefined;
}

/** Loads both plans and the acknowledgements, and diffs them. */
export function runDiff(baseArg: string, headArg: string, ackArg?: string): DiffResult {
  const base = loadPlan(baseArg, '<base>');
  const head = loadPlan(headArg, '<head>');
  const acks = readAcknowledgements(ackFileFor(headArg, ackArg));
  return diffPlans(base.resources, head.resources, acks);
}

/** The JSON contract (DESIGN.md §3.5), with each change's old/new values as `details`. */
export function diffJson(result: DiffResult): string {
  return JSON.stringify(result, null, 2);
}

/**
 * `npm run diff -- <base> <head> [--json] [--ack <file>]`: what the head plan changes against the
 * base. Exit 1 when a stateful resource is deleted or replaced without an acknowledgement, 2 on bad input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('diff')
    .description(
      'Compare two offline plans by URN: create, update, replace, delete; guard stateful resources.',
    )
    .argument(
      '<base>',
      'the base plan: dist/plan, dist/plan/<env>, a stacks/<stack> folder or a resources.json',
    )
    .argument('<head>', 'the head plan, in the same forms')
    .option('--json', 'print { changes, findings } on stdout')
    .option(
      '--ack <file>',
      `acknowledged stateful deletions/replacements (default: ${ACK_FILE} of the head)`,
    );
  parseArgs(cmd, argv);
  const opts = cmd.opts<{ json?: boolean; ack?: string }>();
  const [baseArg, headArg] = cmd.args;
  const progress = new Progress({ json: opts.json });
  const result = await progress.step(
    `diff ${baseArg} -> ${headArg}`,
    () => runDiff(baseArg, headArg, opts.ack),
    (r) => `${r.changes.length} change(s), ${r.findings.length} finding(s)`,
  );
  if (opts.json) console.log(diffJson(result));
  else {
    console.log(renderDiffText(result));
    const open = result.findings.filter((f) => f.level === 'mandatory' && !f.acknowledged).length;
    console.log(
      `${result.changes.length} change(s), ${open} unacknowledged stateful deletion(s)/replacement(s) in ${formatMs(progress.elapsed())}: ${open > 0 ? 'FAIL' : 'PASS'}`,
    );
  }
  return blocks(result) ? ExitCode.Failed : ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
