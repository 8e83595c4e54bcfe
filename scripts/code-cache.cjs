// Writes V8's code cache of a bundle (FILE.cache, read by bin/code-cache.js), for the Node that
// runs this: scripts/build.mjs runs it after bundling, with the commands to warm up on.
// Usage: node scripts/code-cache.cjs FILE [ARGS...] [-- ARGS...]...
// The bundle is run once per argument list, one after the other in this process, and the cache
// is made at the end: it then holds not just the top level but every function those runs
// compiled, so the same commands later start without compiling anything of the bundle. A
// function that a start-up does not run costs nothing but its place in the file.
'use strict';
const { createHash } = require('node:crypto');
const { appendFileSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { compileBundle, runBundle, keyLine, KEY_LENGTH } = require('../bin/code-cache.js');

const [fileArg, ...rest] = process.argv.slice(2);
const file = resolve(fileArg);
const runs = [[]];
for (const arg of rest) arg === '--' ? runs.push([]) : runs.at(-1).push(arg);

// the key: a hash of the bundle as esbuild wrote it, appended as its last line
rmSync(`${file}.cache`, { force: true });
const key = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, KEY_LENGTH);
appendFileSync(file, keyLine(key));

const script = compileBundle(file, { useCache: false });
const node = process.argv.slice(0, 1);
let next = 0;
function runNext() {
  process.argv = [...node, file, ...runs[next++]];
  runBundle(script, file);
}
// A run ends when the event loop is empty; then the next one starts (from a new turn of the
// loop: work begun in 'beforeExit' itself would not keep the process alive), and after the last
// the cache is written. Each run sets process.exitCode, which must stay 0.
process.on('beforeExit', () => {
  if (process.exitCode) throw new Error(`code-cache: ${runs[next - 1].join(' ')} exited ${process.exitCode}`);
  if (next < runs.length) return void setImmediate(runNext);
  writeFileSync(`${file}.cache`, Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()]));
});
runNext();
