import { stringify } from 'csv-stringify/sync';

/** A cell that a spreadsheet would run as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A number written as text ("-12.5") is data, not a formula: left as it is. */
const NUMERIC = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * Neutralises one cell: text beginning with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so
 * a video named `=HYPERLINK(…)` is shown, not run, by Excel or Sheets. Numbers stay numbers.
 */
export function safeCell(v: unknown): unknown {
  if (typeof v !== 'string' || !FORMULA_START.test(v) || NUMERIC.test(v)) return v;
  return `'${v}`;
}

/** Every CSV the app writes goes through here: rows to text, each cell neutralised. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows.map((r) => r.map(safeCell)));
}
