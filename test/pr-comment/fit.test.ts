import fc from 'fast-check';
import { Block, cutNote, fitBlocks, rowsText, sizeOf } from '../../tools/pr-comment/fit';

const WHERE = 'the `pr-view` artifact';
const notice = (cuts: readonly { label: string }[]) => `> trimmed: ${cuts.map((c) => c.label).join(', ')}`;

const fixed = (text: string): Block => ({ kind: 'fixed', text });
const drop = (text: string, rank: number, label: string): Block => ({ kind: 'drop', text, rank, label });
const rows = (n: number, rank: number, label: string, width = 20): Block => ({
  kind: 'rows',
  head: '| a |\n|---|',
  rows: Array.from({ length: n }, (_, i) => `| ${String(i).padStart(width, '0')} |`),
  rank,
  label,
});

describe('fitBlocks', () => {
  test('returns the blocks joined by blank lines, with no notice, when they fit', () => {
    const f = fitBlocks([fixed('# title'), drop('picture', 1, 'the picture')], 1000, WHERE, notice);
    expect(f).toEqual({ text: '# title\n\npicture', cuts: [], size: 16 });
  });

  test('cuts the lowest rank first, and says what it cut where the notice goes', () => {
    const blocks = [
      fixed('# title'),
      drop('x'.repeat(200), 2, 'the picture'),
      drop('y'.repeat(200), 1, 'the folded reports'),
    ];
    const f = fitBlocks(blocks, 400, WHERE, notice);
    expect(f.cuts).toEqual([{ label: 'the folded reports' }]);
    expect(f.text.split('\n\n')).toEqual([
      '# title',
      '> trimmed: the folded reports',
      'x'.repeat(200),
      cutNote({ label: 'the folded reports' }, WHERE),
    ]);
    expect(f.size).toBeLessThanOrEqual(400);
  });

  test('within one rank, cuts the block nearest the end first', () => {
    const blocks = [fixed('# t'), drop('a'.repeat(200), 1, 'first'), drop('b'.repeat(200), 1, 'second')];
    expect(fitBlocks(blocks, 350, WHERE, notice).cuts).toEqual([{ label: 'second' }]);
  });

  test('cuts a table from its last row, keeping as many first rows as fit', () => {
    const blocks = [fixed('# t'), rows(100, 1, 'changes of prod')];
    const f = fitBlocks(blocks, 1200, WHERE, notice);
    expect(f.cuts).toHaveLength(1);
    const [cut] = f.cuts;
    expect(cut).toMatchObject({ label: 'changes of prod', of: 100 });
    const kept = 100 - (cut.rows ?? 0);
    expect(kept).toBeGreaterThan(0);
    expect(f.text).toContain(`| ${String(kept - 1).padStart(20, '0')} |`);
    expect(f.text).not.toContain(`| ${String(kept).padStart(20, '0')} |`);
    expect(f.text).toContain(`${cut.rows} of 100 rows of changes of prod`);
    // One more row would not have fitted.
    const oneMore = f.text.replace(
      rowsText(blocks[1] as never, kept, WHERE),
      rowsText(blocks[1] as never, kept + 1, WHERE),
    );
    expect(sizeOf(oneMore)).toBeGreaterThan(1200);
  });

  test('cuts the end at a line boundary when the fixed blocks alone are too long', () => {
    const long = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const f = fitBlocks([fixed('# t'), fixed(long)], 500, WHERE, notice);
    expect(f.size).toBeLessThanOrEqual(500);
    expect(f.cuts).toEqual([{ label: 'the end of the comment' }]);
    expect(f.text.endsWith(cutNote({ label: 'the end of the comment' }, WHERE))).toBe(true);
    expect(f.text).toMatch(/line \d+\n\n_✂/);
  });

  test('counts UTF-8 bytes, never cutting inside a multi-byte character', () => {
    const f = fitBlocks([fixed('→'.repeat(400))], 301, WHERE, notice);
    expect(f.size).toBeLessThanOrEqual(301);
    expect(f.text).not.toContain('\uFFFD');
  });

  test('property: always within the limit, deterministic, fixed blocks kept when they fit', () => {
    const block = fc.oneof(
      fc.string({ maxLength: 80 }).map((t) => fixed(`F${t}`)),
      fc
        .tuple(fc.string({ maxLength: 400 }), fc.integer({ min: 0, max: 3 }))
        .map(([t, r]) => drop(`D${t}`, r, `d${r}`)),
      fc
        .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 }))
        .map(([n, r]) => rows(n, r, `r${r}`, 8)),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 8 }), fc.integer({ min: 300, max: 3000 }), (bs, limit) => {
        const f = fitBlocks(bs, limit, WHERE, notice);
        expect(f.size).toBeLessThanOrEqual(limit);
        expect(fitBlocks(bs, limit, WHERE, notice)).toEqual(f);
        if (!f.cuts.some((c) => c.label === 'the end of the comment')) {
          for (const b of bs) if (b.kind === 'fixed' && b.text) expect(f.text).toContain(b.text);
        }
      }),
    );
  });
});
