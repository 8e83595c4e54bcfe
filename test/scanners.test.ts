import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelimitedScanner } from '../src/input/delimited.js';
import { NdjsonScanner } from '../src/input/ndjson.js';
import { csvFiles, expectedCsv, numberText, plan, Recorder, scan, WANTED, type Event } from './helpers/csv.js';
import { check, runs, timeout } from './helpers/fuzz.js';

/**
 * The byte scanners (src/input/delimited.ts, ndjson.ts over lines.ts and decimal.ts) against
 * independent readers used only here: csv-parse for CSV/TSV, JSON.parse for NDJSON, on random
 * files with quotes, CRLF, a BOM, blank lines and garbage, fed in random chunks. Both sides
 * must agree on every record: its line, its numbers (bit for bit), or which column is invalid.
 * 300 files per format by default; FOCAL_FUZZ_RUNS/10 when fuzzing.
 *
 * The CSV files quote only whole fields and put no newline inside quotes (a record is one line).
 */

describe('CSV/TSV scanner against csv-parse', () => {
  it(
    'the same records, line numbers, numbers (bit for bit) and invalid columns, in any chunking',
    () => {
      check(
        fc.property(csvFiles(), fc.array(fc.nat(), { maxLength: 8 }), (file, cuts) => {
          const sink = new Recorder();
          scan(new DelimitedScanner(file.sep, plan, sink), Buffer.from(file.text), cuts);
          expect(sink.events, JSON.stringify(file.text)).toEqual(expectedCsv(file));
        }),
        runs(300, 1 / 10),
      );
    },
    timeout(30_000),
  );

  // defects this property found, by name
  const events = (text: string) => {
    const sink = new Recorder();
    scan(new DelimitedScanner(',', plan, sink), Buffer.from(text), []);
    return sink.events;
  };
  it('a quoted separator in another column does not shift the label: p,note,y / 0.9,"a,1,b",0 reads y = 0', () => {
    expect(events('p,note,y\n0.9,"a,1,b",0\n')).toEqual([{ line: 2, values: [0.9, 0] }]);
  });
  it('a quoted last field in a CRLF file is read: p,y\\r\\n0.5,"1"\\r\\n', () => {
    expect(events('p,y\r\n0.5,"1"\r\n')).toEqual([{ line: 2, values: [0.5, 1] }]);
    expect(events('p,y\r\n"0.5","1"\r\n"0.25"')).toEqual([
      { line: 2, values: [0.5, 1] },
      { line: 3, invalid: 'y' },
    ]);
  });
  it('blank lines before the header count in line numbers: \\np,y\\nabc,1 is line 3', () => {
    expect(events('\np,y\nabc,1\n')).toEqual([{ line: 3, invalid: 'p' }]);
    expect(events('\ufeff \r\n\r\np,y\r\n0.5,1\r\n')).toEqual([{ line: 4, values: [0.5, 1] }]);
  });
  it('a row with a field more than the header is not a record; a bad wanted field is named first', () => {
    expect(events('p,y\n0.5,1,\nabc,1,2\n')).toEqual([
      { line: 2, malformed: true },
      { line: 3, invalid: 'p' },
    ]);
  });
});

/** NDJSON lines: objects with p and y as numbers, booleans, strings or missing, extra keys, garbage. */
const jsonValue = fc.oneof(
  numberText.filter((t) => /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(t)),
  fc.constantFrom('true', 'false', 'null', '"0.5"', '[1]', '{}'),
);
const ndjsonLine = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(jsonValue, jsonValue, fc.boolean(), fc.constantFrom('', ' ', '\t'))
      .map(([p, y, swap, s]) => (swap ? `{${s}"y"${s}:${s}${y},${s}"p":${p}${s}}` : `{"p":${s}${p},"y":${y}${s}}`)),
  },
  { weight: 1, arbitrary: fc.tuple(jsonValue, jsonValue).map(([p, y]) => `{"p":${p},"note":"a\\"b,c","y":${y}}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '  ',
      '{"p":0.5',
      '[1,2]',
      'null',
      '{"p":1,"p":0,"y":1}',
      '{"y":1}',
      'x',
      '{"p":1e999,"y":0}',
    ),
  },
);

function expectedNdjson(lines: string[]): Event[] {
  const events: Event[] = [];
  lines.forEach((text, i) => {
    const line = i + 1;
    if (/^[ \t\r]*$/.test(text)) return;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return events.push({ line, malformed: true });
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return events.push({ line, malformed: true });
    const values: number[] = [];
    for (const name of WANTED) {
      const v = (o as Record<string, unknown>)[name];
      if (typeof v === 'number') values.push(v);
      else if (typeof v === 'boolean' && name === 'y')
        values.push(v ? 1 : 0); // true/false only for the label
      else return events.push({ line, invalid: name });
    }
    events.push({ line, values });
  });
  return events;
}

describe('NDJSON scanner against JSON.parse', () => {
  it(
    'the same records, numbers (bit for bit) and invalid lines, in any chunking (the first object names the keys; blank lines before it count)',
    () => {
      check(
        fc.property(
          fc.array(fc.constantFrom('', ' ', '\t'), { maxLength: 2 }),
          fc.array(ndjsonLine, { maxLength: 25 }),
          fc.constantFrom('\n', '\r\n'),
          fc.array(fc.nat(), { maxLength: 8 }),
          (blanks, body, eol, cuts) => {
            const lines = [...blanks, '{"p":0.5,"y":1}', ...body]; // blank lines (counted), then a first object with both keys: the plan
            const sink = new Recorder();
            scan(new NdjsonScanner(plan, sink), Buffer.from(lines.join(eol) + eol), cuts);
            expect(sink.events, JSON.stringify(lines)).toEqual(
              expectedNdjson(lines.map((l) => l + (eol === '\r\n' ? '\r' : ''))),
            );
          },
        ),
        runs(300, 1 / 10),
      );
    },
    timeout(30_000),
  );
});
