import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Cell } from './table.js';

/** The formats an export is written in. */
export const EXPORT_FORMATS = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
} as const;
/** One export format. */
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Writes a table's rows, a page at a time, to a stream; `end` finishes the file. */
export interface TableWriter {
  rows(rows: readonly Cell[][]): Promise<void>;
  end(): Promise<void>;
}

/**
 * A text cell a spreadsheet would read as a formula (=, +, -, @, tab, CR first) is prefixed
 * with an apostrophe (OWASP's CSV-injection advice): agency names and notes are other people's
 * input. Numbers are written as they are.
 */
export function defuse(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Waits until a stream has room again (or has closed), so a slow client slows the export instead of filling memory. */
function room(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    stream.once('drain', done).once('close', done).once('error', done);
  });
}

/** Writes a chunk, then waits for room. */
function written(stream: Writable, write: () => boolean): Promise<void> {
  return write() ? Promise.resolve() : room(stream);
}

/** CSV (RFC 4180, CRLF) with a UTF-8 byte-order mark, so spreadsheet programs read the Chinese text as UTF-8. */
export function csvWriter(out: Writable, header: string[]): TableWriter {
  const csv = stringify({ bom: true, record_delimiter: 'windows', cast: { boolean: (b) => (b ? 'true' : 'false') } });
  csv.pipe(out);
  // Settles when the file is out, or the client has gone (the route then cuts the response short).
  const done = new Promise<void>((resolve) =>
    out
      .once('finish', resolve)
      .once('close', resolve)
      .once('error', () => resolve()),
  );
  csv.write(header.map(defuse));
  return {
    async rows(rows) {
      for (const row of rows) await written(csv, () => csv.write(row.map(defuse)));
    },
    async end() {
      csv.end();
      await done;
    },
  };
}

/** XLSX, streamed row by row (exceljs's WorkbookWriter): one sheet named after the exported field, a bold header row. */
export async function xlsxWriter(out: Writable, header: string[], sheet: string): Promise<TableWriter> {
  // Loaded on the first XLSX export: exceljs alone is about 14 MB of memory and a third of a second of start-up.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const worksheet = workbook.addWorksheet(sheet.slice(0, 31));
  const head = worksheet.addRow(header);
  head.font = { bold: true };
  head.commit();
  return {
    async rows(rows) {
      for (const row of rows) worksheet.addRow(row).commit();
      // The workbook writer does not wait for its stream: the page waits for the client instead.
      await room(out);
    },
    async end() {
      worksheet.commit();
      await workbook.commit();
    },
  };
}

/** Text as HTML text: the five characters that could open markup, escaped. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A plain HTML table (the explorer's table view): no scripts, every cell escaped, numbers right-aligned.
 * It is served with a Content-Security-Policy that allows nothing to run or load.
 */
export function htmlWriter(out: Writable, header: string[], title: string): TableWriter {
  const cell = (c: Cell) => (c === null ? '<td></td>' : typeof c === 'number' ? `<td class="n">${c}</td>` : `<td>${escapeHtml(String(c))}</td>`);
  out.write(
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>` +
      'body{font:13px system-ui,sans-serif;margin:12px}table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f3f4f6;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}' +
      `</style></head><body><table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n`,
  );
  return {
    async rows(rows) {
      for (const row of rows) await written(out, () => out.write(`<tr>${row.map(cell).join('')}</tr>\n`));
    },
    async end() {
      await new Promise<void>((resolve) => {
        out.once('close', resolve).once('error', () => resolve());
        out.end('</tbody></table></body></html>\n', () => resolve());
      });
    },
  };
}
