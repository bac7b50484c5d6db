import { html, type SafeHtml } from '../html.ts';

// Lists that stay readable from 360 px up: below the narrow breakpoint each row's cells stack,
// each led by its column's name (frontdoor.css, "stacked tables").

/** A column of a list table; a hidden label is still read to screen readers and shown on a stacked row. */
export type ListColumn = string | { label: string; hidden: true };
type Cell = SafeHtml | string | number;
/**
 * A row: its cells in column order, an optional class for the row (the Automatic app is
 * highlighted) and data attributes naming what the row is (`{ 'session-id': id }`).
 */
export type ListRow = Cell[] | { cells: Cell[]; className?: string; data?: Record<string, string> };

const DATA_NAME = /^[a-z][a-z-]*$/;
const columnLabel = (c: ListColumn): string => (typeof c === 'string' ? c : c.label);

/**
 * Every list of the console and of the account page. Each cell carries its column's name in
 * data-label: below the narrow breakpoint the stylesheet stacks a row's cells and shows that name before each value
 * (frontdoor.css, "stacked tables"), so a 360 px screen reads "Email: ada@…" instead of a
 * seven-column table squeezed to one word per line.
 */
export function listTable(columns: ListColumn[], rows: ListRow[], options: { card?: boolean } = {}): SafeHtml {
  const head = columns.map((c) => (typeof c === 'string' ? html`<th scope="col">${c}</th>` : html`<th scope="col"><span class="visually-hidden">${c.label}</span></th>`));
  const body = rows.map((row) => {
    const { cells, className, data } = Array.isArray(row) ? { cells: row, className: '', data: undefined } : row;
    const attributes = Object.entries(data ?? {}).filter(([name]) => DATA_NAME.test(name)).map(([name, value]) => html` data-${name}="${value}"`);
    return html`<tr${className ? html` class="${className}"` : ''}${attributes}>${cells.map((cell, i) => html`<td data-label="${columnLabel(columns[i] ?? '')}">${cell}</td>`)}</tr>`;
  });
  return html`<div class="table-wrap${options.card === false ? '' : ' card'}"><table class="list"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>`;
}
