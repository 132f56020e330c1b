import { RowsBlock } from './fit';

/** Environments in promotion order; others follow alphabetically. */
const ENV_ORDER = ['dev', 'staging', 'prod'];

export function byEnvOrder(a: string, b: string): number {
  const rank = (e: string) => (ENV_ORDER.includes(e) ? ENV_ORDER.indexOf(e) : ENV_ORDER.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A rank offset in [0, 0.3) per environment, so that among the blocks of one rank dev's are cut first
 * and prod's last: prod is where a lost table costs most. Unknown environments go first.
 */
export function envWeight(env: string): number {
  return (ENV_ORDER.indexOf(env) + 1) / 10;
}

/** A table cell: pipes escaped, line breaks flattened (a cell is one line). */
export const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Inline code that survives backticks in the value. */
export const code = (s: string): string => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

export const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;

/** A Markdown table as a cuttable block: `intro` (optional lines above it), the header, the rows. */
export function tableBlock(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rank: number,
  label: string,
  intro?: string,
): RowsBlock {
  const head = [row(headers), `|${headers.map(() => '---').join('|')}|`].join('\n');
  return { kind: 'rows', head: intro ? `${intro}\n\n${head}` : head, rows: rows.map(row), rank, label };
}

/** A Markdown table as one string. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const b = tableBlock(headers, rows, 0, '');
  return [b.head, ...b.rows].join('\n');
}

/** `<details>` around Markdown. */
export const folded = (summary: string, body: string): string =>
  `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;

/** The last segment of a URN: the resource's logical name. */
export const shortName = (urn: string): string => urn.split('::').pop() ?? urn;

/** The last segment of a type token: `Table` of `aws:dynamodb/table:Table`. */
export const shortType = (type: string): string => type.split(':').pop() ?? type;
