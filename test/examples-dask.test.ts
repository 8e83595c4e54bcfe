// Runs examples/dask/shards.py on a Dask LocalCluster (Debian's python3-distributed, with
// /usr/bin/python3: the system Python that apt installs it for; CI installs it in .ci/run) and
// checks that 4 shards + `focal merge` print exactly what one run over all the rows prints.
// It fails loudly, never skips, when python3-distributed is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';

const PYTHON = '/usr/bin/python3';
const FOCAL = `${process.execPath} ${BIN}`;
const dir = mkdtempSync(join(tmpdir(), 'focal-dask-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('examples/dask: 4 shards on a LocalCluster + focal merge = one run over all rows', () => {
  const probe = spawnSync(PYTHON, ['-c', 'import distributed']);
  if (probe.status !== 0)
    throw new Error(
      `${PYTHON} cannot import distributed: install Debian's python3-distributed (apt-get install -y python3-distributed). ${probe.stderr ?? ''}`,
    );
  // probabilities of many magnitudes, so that a sum that depended on the order would show it
  const rows = Array.from(
    { length: 400 },
    (_, i) => `${i % 7 === 0 ? 10 ** -(i % 300) : ((i * 37) % 997) / 998 + 0.0005},${i % 3 === 0 ? 1 : 0}`,
  );
  const shards = [0, 1, 2, 3].map((k) => {
    const file = join(dir, `shard${k}.${k % 2 ? 'ndjson' : 'csv'}`);
    const part = rows.slice(k * 100, (k + 1) * 100);
    writeFileSync(
      file,
      k % 2
        ? part.map((r) => `{"p":${r.split(',')[0]},"y":${r.split(',')[1]}}`).join('\n') + '\n'
        : `p,y\n${part.join('\n')}\n`,
    );
    return file;
  });
  writeFileSync(join(dir, 'all.csv'), `p,y\n${rows.join('\n')}\n`);
  const options = ['--gamma', '1.5', '--reduction', 'sum'];
  const sharded = execFileSync(
    PYTHON,
    ['examples/dask/shards.py', '--focal', FOCAL, '--out', dir, ...shards, ...options, '--json'],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const single = execFileSync(process.execPath, [BIN, 'loss', '--input', join(dir, 'all.csv'), ...options, '--json'], {
    encoding: 'utf8',
  });
  const merged = JSON.parse(sharded);
  expect(merged.summary).toEqual(JSON.parse(single).summary);
  expect(merged.params).toMatchObject({ shards: 4, gamma: 1.5, reduction: 'sum' });
}, 200_000);
