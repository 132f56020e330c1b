/**
 * Fitting a Markdown comment under a size limit, deterministically: the comment is a list of blocks,
 * and the blocks that may be cut are cut in a fixed order (lowest `rank` first, then from the end of
 * the comment), each replaced by a one-line note that says what was cut. A table is cut row by row
 * from its end, so its first rows (the most important, by the order its section chose) survive.
 * Pure: the same blocks and limit always give the same comment.
 */

/** A block that is never cut: headings, verdicts, totals. */
export interface FixedBlock {
  readonly kind: 'fixed';
  readonly text: string;
}

/** A block that is cut whole (a picture, a folded report), leaving `note` in its place. */
export interface DroppableBlock {
  readonly kind: 'drop';
  readonly text: string;
  /** Lower ranks are cut first. */
  readonly rank: number;
  /** What the block is, for the cut note: "the Mermaid picture of prod". */
  readonly label: string;
}

/** A table cut from its last row up: `head` (heading lines), `rows`, then optional `tail` text. */
export interface RowsBlock {
  readonly kind: 'rows';
  readonly head: string;
  readonly rows: readonly string[];
  readonly tail?: string;
  readonly rank: number;
  /** What the rows are, for the cut note: "changes of prod". */
  readonly label: string;
}

export type Block = FixedBlock | DroppableBlock | RowsBlock;

/** One cut, as the comment's notice and `--json` report it. */
export interface Cut {
  readonly label: string;
  /** Rows removed from a table, or undefined when a whole block was removed. */
  readonly rows?: number;
  /** Rows the table had. */
  readonly of?: number;
}

export interface Fitted {
  readonly text: string;
  readonly cuts: Cut[];
  /** The size of `text` as measured against the limit (UTF-8 bytes). */
  readonly size: number;
}

/** Blocks are separated by a blank line. */
const SEPARATOR = '\n\n';

/**
 * Size as GitHub's limit is checked here: UTF-8 bytes. A character is at least one byte, so a
 * comment under the limit in bytes is under it in characters too, whatever GitHub counts.
 */
export const sizeOf = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The note left where a block or rows were cut; `where` says where the full content is. */
export function cutNote(cut: Cut, where: string): string {
  const what = cut.rows === undefined ? cut.label : `${cut.rows} of ${cut.of} rows of ${cut.label}`;
  return `_✂ Cut to fit the comment size limit: ${what}. Full content: ${where}._`;
}

/** The text of a rows block keeping its first `keep` rows (and a note for the rest). */
export function rowsText(b: RowsBlock, keep: number, where: string): string {
  const cut = b.rows.length - keep;
  if (keep === 0 && cut > 0) return cutNote({ label: b.label, rows: cut, of: b.rows.length }, where);
  const parts = [b.head, ...b.rows.slice(0, keep)].join('\n');
  const note = cut > 0 ? `\n\n${cutNote({ label: b.label, rows: cut, of: b.rows.length }, where)}` : '';
  return `${parts}${note}${b.tail ? `\n\n${b.tail}` : ''}`;
}

function fullText(b: Block, where: string): string {
  return b.kind === 'rows' ? rowsText(b, b.rows.length, where) : b.text;
}

/** The cut order: lowest rank first, and within a rank the block nearest the end first. */
function cutOrder(blocks: readonly Block[]): number[] {
  return blocks
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => b.kind !== 'fixed')
    .sort((x, y) => (x.b as DroppableBlock).rank - (y.b as DroppableBlock).rank || y.i - x.i)
    .map(({ i }) => i);
}

/**
 * Joins the blocks, cutting until the result plus `notice(cuts)` is at most `limit` bytes. The
 * notice (what was cut, where the rest is) is placed at `noticeAt` (a block index) when anything
 * was cut. Should the fixed blocks alone exceed the limit, the text is cut at the last line that
 * fits and the cut is reported with the label "the end of the comment".
 */
export function fitBlocks(
  blocks: readonly Block[],
  limit: number,
  where: string,
  notice: (cuts: readonly Cut[]) => string,
  noticeAt = 1,
): Fitted {
  const texts = blocks.map((b) => fullText(b, where));
  const cuts: Cut[] = [];
  const assemble = (withNotice: boolean): string => {
    const parts = texts.filter((t) => t !== '');
    if (withNotice) parts.splice(Math.min(noticeAt, parts.length), 0, notice(cuts));
    return parts.join(SEPARATOR);
  };
  const fits = () => sizeOf(assemble(cuts.length > 0)) <= limit;
  if (fits()) return done(assemble(false), []);

  for (const i of cutOrder(blocks)) {
    const b = blocks[i];
    if (b.kind === 'drop') {
      texts[i] = cutNote({ label: b.label }, where);
      cuts.push({ label: b.label });
    } else if (b.kind === 'rows') {
      // The most rows that still fit (possibly none), by bisection: size grows with `keep`.
      const cut: Cut = { label: b.label, rows: 0, of: b.rows.length };
      cuts.push(cut);
      const at = cuts.length - 1;
      const tryKeep = (keep: number) => {
        texts[i] = rowsText(b, keep, where);
        cuts[at] = { ...cut, rows: b.rows.length - keep };
        return fits();
      };
      let lo = 0;
      let hi = b.rows.length - 1;
      if (hi < 0) {
        cuts.pop();
        continue;
      }
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (tryKeep(mid)) lo = mid;
        else hi = mid - 1;
      }
      tryKeep(lo);
    }
    if (fits()) return done(assemble(true), cuts);
  }
  // Only fixed blocks are left and they are still too long: cut the end, at a line boundary.
  cuts.push({ label: 'the end of the comment' });
  const text = assemble(true);
  const marker = `\n\n${cutNote({ label: 'the end of the comment' }, where)}`;
  let end = Math.max(0, limit - sizeOf(marker));
  let head = Buffer.from(text, 'utf8').subarray(0, end).toString('utf8');
  while (sizeOf(head) > end) head = head.slice(0, -1); // a split multi-byte character
  end = head.lastIndexOf('\n');
  return done(`${end > 0 ? head.slice(0, end) : head}${marker}`, cuts);

  function done(text: string, cs: Cut[]): Fitted {
    return { text, cuts: cs, size: sizeOf(text) };
  }
}
