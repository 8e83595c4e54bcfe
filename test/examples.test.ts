import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/** examples/ is what its generator writes, and its README's counts are true. */
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const fresh = mkdtempSync(join(tmpdir(), 'focal-examples-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

const generated = spawnSync(process.execPath, [join(EXAMPLES, 'generate.mjs'), fresh], { encoding: 'utf8' });
// the data files generate.mjs writes (subfolders such as dask/ hold programs, not data)
const DATA = readdirSync(EXAMPLES).filter(
  (f) => f !== 'README.md' && f !== 'generate.mjs' && statSync(join(EXAMPLES, f)).isFile(),
);
/** A file's text (a .gz file's decompressed text: gzip bytes may differ between zlib versions). */
const read = (dir: string, file: string) => {
  const bytes = readFileSync(join(dir, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};

describe('examples/', () => {
  it('the generator runs', () => {
    expect(generated.stderr).toBe('');
    expect(generated.status).toBe(0);
    expect(readdirSync(fresh).sort()).toEqual(DATA.sort());
  });

  it.each(DATA)('%s is what examples/generate.mjs writes (run it after changing it)', (file) => {
    expect(read(EXAMPLES, file)).toBe(read(fresh, file));
  });

  it.each(DATA)('%s is small (tens of KB at most)', (file) => {
    expect(readFileSync(join(EXAMPLES, file)).length).toBeLessThan(64 * 1024);
  });

  it("the README's table gives each file's rows and positives", () => {
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    for (const file of DATA) {
      // count with a plain reader: data lines, and the label column (last) equal to 1
      const lines = read(EXAMPLES, file).trimEnd().split('\n');
      const ndjson = file.includes('.ndjson');
      const data = ndjson ? lines : lines.slice(1);
      const labels = data.map((l) => (ndjson ? String(JSON.parse(l).y) : l.split(/[,\t]/).at(-1)));
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${file}\` |`));
      expect(row, file).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells.at(-3), `${file}: rows`).toBe(data.length.toLocaleString('en-US'));
      const binary = !file.startsWith('multiclass') && !file.startsWith('bad');
      expect(cells.at(-2), `${file}: positives`).toBe(
        binary ? labels.filter((y) => y === '1').length.toLocaleString('en-US') : '',
      );
    }
  });

  it('dets.tsv is a 1:1000 detector: one positive per thousand negatives', () => {
    const labels = read(EXAMPLES, 'dets.tsv')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[1]);
    const positives = labels.filter((y) => y === '1').length;
    expect(positives).toBeGreaterThan(2);
    expect(labels.length - positives).toBe(1000 * positives);
  });
});
