import { costBlocks } from './cost-section';
import { diffBlocks, RANK } from './diff-section';
import { Block, Cut, fitBlocks, Fitted } from './fit';
import { PrViewInput } from './inputs';
import { scrub } from './mask';
import { byEnvOrder, envWeight, folded } from './markdown';
import { policyBlocks } from './policy-section';
import { simBlocks } from './sim-section';
import { SIM_FILE } from './sim';

/** GitHub refuses an issue or pull-request comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * What the comment may use: the limit less room for the hidden `<!-- Sticky Pull Request
 * Comment<header> -->` marker the sticky-comment action adds to the body.
 */
export const DEFAULT_BUDGET = GITHUB_COMMENT_LIMIT - 536;

export interface AssembleOptions {
  /** The heading. @default 'Infrastructure change' */
  readonly title?: string;
  /** Where the full artifacts are, as Markdown ("the `pr-view` artifact of run 12"). */
  readonly artifacts: string;
  /** @default DEFAULT_BUDGET */
  readonly limit?: number;
  /** The simulation file shown in the section's note. @default SIM_FILE */
  readonly simFile?: string;
}

export interface Comment extends Fitted {
  /** Section headings in the order they appear. */
  readonly sections: string[];
  readonly limit: number;
}

/** Headings of an embedded report moved three levels down, under the comment's own headings. */
export const demote = (markdown: string): string => markdown.replace(/^(#{1,3}) /gm, '$1### ');

/** The notice placed under the heading when anything was cut. */
export function trimNotice(cuts: readonly Cut[], limit: number, artifacts: string): string {
  const what = cuts.map((c) => (c.rows === undefined ? c.label : `${c.rows} of ${c.of} rows of ${c.label}`));
  return `> **Trimmed** to fit GitHub's comment size limit (${limit.toLocaleString('en-US')} bytes here, ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')} characters on GitHub). Cut, in this order: ${what.join('; ')}. The full diff, policy verdicts, cost and plan reports: ${artifacts}.`;
}

/**
 * The pull-request comment, in this order: the diff (with the stateful guard's verdict), the policy
 * findings, the cost with its delta, the capacity simulation (when its verdicts exist), and the head
 * plan's full reports folded. Known plaintext secrets are scrubbed from every block, then the
 * comment is fitted under the limit (fit.ts), cutting the least important parts first.
 */
export function assembleComment(input: PrViewInput, opts: AssembleOptions): Comment {
  const limit = opts.limit ?? DEFAULT_BUDGET;
  const blocking =
    input.diff.findings.some((f) => f.level === 'mandatory' && !f.acknowledged) ||
    input.policy.some((p) => p.head.some((v) => v.enforcementLevel === 'mandatory'));
  const blocks: Block[] = [
    {
      kind: 'fixed',
      text: `## ${opts.title ?? 'Infrastructure change'}: ${blocking ? 'needs attention' : 'ready for review'}`,
    },
    ...diffBlocks(input.diff),
    ...policyBlocks(input.policy),
    ...costBlocks(input.cost.base, input.cost.head, input.cost.delta),
    ...(input.sim ? simBlocks(input.sim, opts.simFile ?? SIM_FILE) : []),
  ];
  if (input.reports.length > 0) {
    blocks.push({ kind: 'fixed', text: '### Full plan reports (head)' });
    for (const r of [...input.reports].sort((a, b) => byEnvOrder(a.env, b.env))) {
      blocks.push({
        kind: 'drop',
        text: folded(`<b>${r.env}</b>: report.md`, demote(r.markdown.trim())),
        rank: RANK.reports + envWeight(r.env),
        label: `the plan report of ${r.env}`,
      });
    }
  }
  blocks.push({
    kind: 'fixed',
    text: `_Full artifacts: ${opts.artifacts}. Written by \`npm run pr-comment\`; how to read it: README, "Reviewing a pull request"._`,
  });
  const clean = blocks.map((b): Block =>
    b.kind === 'rows'
      ? { ...b, head: scrub(b.head, input.secrets), rows: b.rows.map((r) => scrub(r, input.secrets)) }
      : { ...b, text: scrub(b.text, input.secrets) },
  );
  const fitted = fitBlocks(clean, limit, opts.artifacts, (cuts) => trimNotice(cuts, limit, opts.artifacts));
  const sections = fitted.text
    .split('\n')
    .filter((l) => /^###? /.test(l))
    .map((l) => l.replace(/^#+ /, ''));
  return { ...fitted, sections, limit };
}
