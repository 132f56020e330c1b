import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from '../lib/args';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, Progress } from '../lib/progress';
import type { Comment } from './assemble';
import { readSim, SIM_FILE } from './sim';

const PLAN = 'a plan directory (dist/plan, dist/plan/<env>) or a resources.json';
const DEFAULT_ARTIFACTS =
  'run `npm run diff`, `npm run cost` and `npm run policy` on the two plans (dist/plan of each branch)';

interface Options {
  base?: string;
  head?: string;
  out?: string;
  json?: boolean;
  sim?: string;
  artifacts: string;
  title?: string;
}

/** Checks the arguments before anything is read or written. */
function validate(opts: Options): { base: string; head: string } {
  for (const key of ['base', 'head'] as const) {
    if (!opts[key]) throw new UsageError(`--${key}`, undefined, PLAN);
    if (!fs.existsSync(opts[key] as string))
      throw new UsageError(`--${key}`, opts[key], `an existing ${PLAN.replace(/^a /, '')}`);
  }
  if (opts.out !== undefined) {
    if (opts.out === '' || (fs.existsSync(opts.out) && fs.statSync(opts.out).isDirectory())) {
      throw new UsageError('--out', opts.out, 'a file path to write the comment to (not a directory)');
    }
  }
  if (opts.artifacts.trim() === '') {
    throw new UsageError(
      '--artifacts',
      opts.artifacts,
      'a non-empty description of where the full artifacts are',
    );
  }
  return { base: opts.base as string, head: opts.head as string };
}

/** The `--json` summary: the comment and what was cut. */
export function commentJson(c: Comment, out?: string): string {
  return JSON.stringify(
    {
      out: out ?? null,
      size: c.size,
      limit: c.limit,
      trimmed: c.cuts.length > 0,
      cuts: c.cuts,
      sections: c.sections,
      markdown: c.text,
    },
    null,
    2,
  );
}

/**
 * `npm run pr-comment -- --base <plan> --head <plan> [--out <file>] [--json] [--sim <file>]`: the
 * pull-request comment (diff, policy findings, cost with its delta, capacity simulation), trimmed
 * under GitHub's size limit. Exit 0 when the comment is written (its verdicts are in the comment;
 * `npm run diff` and `npm run plan` are the gates), 2 on bad arguments or input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('pr-comment')
    .description('Assemble the pull-request comment: diff, policy findings, cost and its delta, simulation.')
    .option('--base <plan>', `the base branch's plan: ${PLAN}`)
    .option('--head <plan>', `the pull request's plan: ${PLAN}`)
    .option('--out <file>', 'write the comment to this file (default: print it on stdout)')
    .option('--json', 'print { out, size, limit, trimmed, cuts, sections, markdown } on stdout')
    .option('--sim <file>', `the simulator's verdicts (default: ${SIM_FILE} when it exists)`)
    .option(
      '--artifacts <markdown>',
      'where the full artifacts are, as the comment names it',
      DEFAULT_ARTIFACTS,
    )
    .option('--title <text>', 'the heading', 'Infrastructure change');
  parseArgs(cmd, argv);
  const opts = cmd.opts<Options>();
  const { base, head } = validate(opts);
  // Progress goes to stderr whenever stdout carries the result (the comment or the JSON).
  const progress = new Progress({ json: opts.json || opts.out === undefined });
  const simFile = opts.sim ?? SIM_FILE;
  const sim = readSim(simFile, opts.sim !== undefined);
  // Loaded after the arguments are checked: the policy pack and Pulumi take seconds to load.
  const { gather } = await import('./inputs');
  const { assembleComment } = await import('./assemble');
  const input = await gather(base, head, {
    sim,
    step: (name, fn) => progress.step(name, fn),
  });
  const comment = await progress.step(
    'assemble the comment',
    () => assembleComment(input, { artifacts: opts.artifacts, title: opts.title, simFile }),
    (c) => `${c.size} bytes of ${c.limit}, ${c.cuts.length} cut(s)`,
  );
  if (opts.out) {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, `${comment.text}\n`);
  }
  if (opts.json) console.log(commentJson(comment, opts.out));
  else if (!opts.out) console.log(comment.text);
  else {
    console.log(
      `wrote ${opts.out}: ${comment.sections.length} section(s), ${comment.size} bytes of ${comment.limit}${comment.cuts.length > 0 ? `, trimmed (${comment.cuts.length} cut(s))` : ''} in ${formatMs(progress.elapsed())}`,
    );
  }
  return ExitCode.Ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
