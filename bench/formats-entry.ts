// Mean FL of a 10^7-row file through the new pipeline (decoder → layout → core → totals), or
// the decoder alone (mode 'decode'); bundled and run by bench/formats.mjs. Prints JSON: rows,
// mean FL, seconds.
import { totalsCollector } from '../src/pipeline/collect/totals.js';
import type { ColumnBatch } from '../src/pipeline/columns.js';
import { alignArrays } from '../src/pipeline/decode/align.js';
import { listNpz, npzArray, npzEntry } from '../src/pipeline/decode/npz.js';
import { decodeParquet } from '../src/pipeline/decode/parquet.js';
import { decodeArrowAt } from '../src/pipeline/decode/arrow.js';
import { evaluateBatch } from '../src/pipeline/evaluate.js';
import { layoutBatch } from '../src/pipeline/layout.js';
import { openRandomAccess } from '../src/pipeline/source.js';

const [format, file, mode = 'full'] = process.argv.slice(2);
const t0 = performance.now();
const source = await openRandomAccess(file!);
let batches: AsyncIterable<ColumnBatch>;
if (format === 'npz') {
  const entries = await listNpz(source);
  batches = alignArrays(
    ['p', 'y'].map((name) => ({ name, where: name, batches: npzArray(source, npzEntry(entries, name, file!)) })),
  );
} else if (format === 'parquet') batches = decodeParquet(source, ['p', 'y']);
else batches = decodeArrowAt(source, file!, ['p', 'y']);
const state = totalsCollector.create();
let rows = 0;
for await (const b of batches) {
  rows += b.rows;
  if (mode === 'decode') continue;
  totalsCollector.add(
    state,
    evaluateBatch(layoutBatch({ shape: 'binary', input: 'p', prediction: 'p', label: 'y' }, b, file!), {
      gamma: 2,
      alpha: 0.25,
    }),
  );
}
const result = totalsCollector.finish(state);
console.log(JSON.stringify({ format, mode, rows, fl_mean: result.fl.mean, seconds: (performance.now() - t0) / 1000 }));
