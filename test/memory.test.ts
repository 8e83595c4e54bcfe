/**
 * Peak memory of the built CLI on worker threads (issue 9: ≤ 100 MiB at any size). The child
 * reports its own peak RSS (all threads of the process) on exit; no time is measured. The full
 * table, every format at 10^7 and 10^8 rows, is bench/memory.mjs (too slow for a test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from './helpers/seeded.js';

const BIN = fileURLToPath(new URL('../bin/focal.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./helpers/report-rss.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'focal-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('peak memory on worker threads', () => {
  it('sweep on two threads stays under 100 MiB (each worker young generation is capped)', () => {
    // 500,000 rows (~12 MB): sweep's exact sums make the most short-lived garbage per row; with
    // V8's default young generation per worker this run peaked at ~108 MiB, with the cap ~88 MiB
    const u = mulberry32(9);
    const lines = ['p,y'];
    for (let i = 0; i < 500_000; i++) lines.push(`${u()},${u() < 0.1 ? 1 : 0}`);
    const input = join(dir, 'sweep.csv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const r = spawnSync(
      process.execPath,
      [
        '-r',
        PRELOAD,
        BIN,
        'sweep',
        '--input',
        input,
        '--gamma',
        '0:5:0.5',
        '--alpha',
        '0.25',
        '--threads',
        '2',
        '--format',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout).rows[0];
    expect(first.negative_count + first.positive_count).toBe(500_000);
    const peakMiB = Number(/maxrss=(\d+)/.exec(r.stderr)![1]) / 1024;
    expect(peakMiB).toBeLessThan(100);
  }, 120_000);
});
