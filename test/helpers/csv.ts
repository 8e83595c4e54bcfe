import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import type { DelimitedScanner } from '../../src/input/delimited.js';
import type { ColumnPlan, RecordSink } from '../../src/input/lines.js';
import type { NdjsonScanner } from '../../src/input/ndjson.js';

/** Random CSV/TSV files and what an independent reader (csv-parse) says they hold: scanners.test.ts. */

/** A record's numbers; a wanted field that is not a number (or missing); a line that is not a record at all. */
export type Event =
  { line: number; values: number[] } | { line: number; invalid: string } | { line: number; malformed: true };

export class Recorder implements RecordSink {
  events: Event[] = [];
  record(values: Float64Array, line: number): void {
    this.events.push({ line, values: [...values] });
  }
  invalid(line: number, column: string): void {
    this.events.push({ line, invalid: column });
  }
  malformed(line: number): void {
    this.events.push({ line, malformed: true });
  }
}

export const WANTED = ['p', 'y'];
/** The wanted columns the header has; y is the binary label (NDJSON reads true/false there only). */
export const plan = (header: string[]): ColumnPlan => {
  const names = WANTED.filter((n) => header.includes(n));
  return { names, labelSlot: names.indexOf('y') };
};

/** Feeds `bytes` to the scanner in chunks cut at `cuts` (any byte offsets). */
export function scan(scanner: DelimitedScanner | NdjsonScanner, bytes: Buffer, cuts: number[]): void {
  let from = 0;
  for (const at of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(from, at));
    from = at;
  }
  scanner.push(bytes.subarray(from));
  scanner.finish();
}

/** The decimal grammar the scanners accept (surrounding spaces allowed), per the README. */
export const DECIMAL = /^ *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *$/;

export const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.double({ min: 0, max: 1, noNaN: true }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 5 })).map(([m, e]) => (m / 10 ** e).toFixed(e)),
  fc.constantFrom(
    '0',
    '1',
    '-0',
    '.5',
    '5.',
    '+1',
    '1e999',
    '1E-5',
    '0.10000000000000000555',
    '12345678901234567890',
    '0.30000000000000004',
  ),
);
const garbage = fc.constantFrom(
  '',
  'abc',
  'nan',
  'inf',
  '0x10',
  '1e',
  '--1',
  '1 2',
  '.',
  'é',
  '1_000',
  'Infinity',
  '1.5.',
  '١',
);
/** A wanted field: a number or garbage, maybe padded with spaces, maybe quoted as a whole. */
const wantedField = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: numberText }, { weight: 1, arbitrary: garbage }),
    fc.constantFrom('', ' ', '  '),
    fc.boolean(),
  )
  .map(([v, pad, quoted]) => (quoted ? `"${pad}${v}${pad}"` : `${pad}${v}`));
/** Another column: text without separators, quotes or newlines, or a quoted one with "" inside. */
const otherField = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .;:_-]{0,8}$/),
  fc.stringMatching(/^[a-z ]{0,5}$/).map((s) => `"${s}""x"`),
);
const blankLine = fc.constantFrom('', ' ', '  ', '\t', ' \t ');

export interface CsvFile {
  sep: ',' | '\t';
  text: string;
}

/**
 * Random CSV/TSV files: a BOM or not, LF or CRLF, blank lines (also before the header), quoted
 * wanted fields, another column that may be quoted with a separator or "" inside, short rows,
 * rows with a field more than the header, and maybe no final line end.
 */
export function csvFiles(): fc.Arbitrary<CsvFile> {
  const note = fc.oneof(
    otherField,
    fc.stringMatching(/^[a-z0-9]{0,3}$/).map((s) => `"${s},${s}"`),
    fc.constant('"a,1,b"'),
  );
  return fc
    .record({
      sep: fc.constantFrom<',' | '\t'>(',', '\t'),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      withNote: fc.boolean(),
      leadingBlanks: fc.array(blankLine, { maxLength: 2 }),
      rows: fc.array(
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.tuple(wantedField, note, wantedField).map((r) => ({ kind: 'row' as const, fields: r })),
          },
          { weight: 1, arbitrary: blankLine.map((b) => ({ kind: 'blank' as const, text: b })) },
          { weight: 1, arbitrary: wantedField.map((f) => ({ kind: 'short' as const, field: f })) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(wantedField, note, wantedField, note)
              .map((r) => ({ kind: 'long' as const, fields: r })),
          },
        ),
        { maxLength: 25 },
      ),
      finalEol: fc.boolean(),
    })
    .map(({ sep, eol, bom, withNote, leadingBlanks, rows, finalEol }) => {
      const header = withNote ? ['p', 'note', 'y'] : ['p', 'y'];
      const lines = [...leadingBlanks, header.join(sep)];
      for (const r of rows) {
        if (r.kind === 'blank') lines.push(r.text);
        else if (r.kind === 'short') lines.push(r.field);
        else {
          const [p, note, y, extra] = r.fields;
          const fields = withNote ? [p, note, y] : [p, y];
          lines.push((r.kind === 'long' ? [...fields, extra] : fields).join(sep));
        }
      }
      return { sep, text: (bom ? '\ufeff' : '') + lines.join(eol) + (finalEol ? eol : '') };
    });
}

/** What csv-parse says the file holds, as scanner events. */
export function expectedCsv({ sep, text }: CsvFile): Event[] {
  const records = parse(text, {
    bom: true,
    delimiter: sep,
    relax_column_count: true,
    raw: true,
    info: true,
    skip_empty_lines: false,
  }) as unknown as {
    record: string[];
    raw: string;
    info: { lines: number };
  }[];
  const events: Event[] = [];
  let header: string[] | null = null;
  for (const { record, raw, info } of records) {
    if (/^[ \t\r\n]*$/.test(raw.replace(/^\ufeff/, ''))) continue; // a blank line
    if (header === null) {
      header = record.map((h) => h.trim());
      continue;
    }
    const values: number[] = [];
    let invalid: string | null = null;
    for (const [column, name] of header.entries()) {
      if (!WANTED.includes(name)) continue;
      const field = record[column];
      if (field === undefined || !DECIMAL.test(field)) {
        invalid = name;
        break;
      }
      values.push(Number(field));
    }
    // a wanted field that is not a number is named first; then a row with more fields than the header is not a record
    if (invalid !== null) events.push({ line: info.lines, invalid });
    else if (record.length > header.length) events.push({ line: info.lines, malformed: true });
    else events.push({ line: info.lines, values });
  }
  return events;
}
