// Runs a CommonJS bundle of dist/ with V8's code cache for it, which `npm run build` writes next
// to it (FILE.cache, by scripts/code-cache.cjs): the functions a start-up runs arrive as bytecode
// instead of being parsed and compiled at every start. Node 20 has no module.enableCompileCache()
// (Node >= 22.1); this is what v8-compile-cache does. Without a cache, with the cache of another
// build of the bundle (the key below), or with one V8 rejects (another Node or V8 version, other
// V8 flags), the bundle is compiled from its source as `require` would compile it.
'use strict';
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

/**
 * The build ends the bundle with a line naming a hash of its content, and starts the cache file
 * with the same 16 characters: V8 itself checks only the source's length, and a cache of other
 * code of the same length would be accepted and run.
 */
const KEY_LENGTH = 16;
const keyLine = (key) => `\n//# focal-cache-key=${key}\n`;

/** The V8 code cache of FILE if it was made for exactly this source, else undefined. */
function cacheFor(file, source) {
  let cache;
  try {
    cache = readFileSync(`${file}.cache`);
  } catch {
    return undefined; // none (a build without it, or removed): compile from the source
  }
  const key = cache.toString('latin1', 0, KEY_LENGTH);
  return cache.length > KEY_LENGTH && source.endsWith(keyLine(key)) ? cache.subarray(KEY_LENGTH) : undefined;
}

/** Compiles the bundle FILE as a CommonJS module's function, with its code cache when it fits. */
function compileBundle(file, { useCache = true } = {}) {
  const source = readFileSync(file, 'utf8');
  return new vm.Script(Module.wrap(source), {
    filename: file,
    // the wrapper's text is not in the file: columns of line 1 in stack traces stay the file's
    columnOffset: -Module.wrapper[0].length,
    cachedData: useCache ? cacheFor(file, source) : undefined,
  });
}

/** Evaluates a compiled bundle as the module FILE (its own require, module, __dirname). */
function runBundle(script, file) {
  const mod = new Module(file, module);
  mod.filename = file;
  const wrapper = script.runInThisContext();
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return mod.exports;
}

module.exports = { compileBundle, runBundle, keyLine, KEY_LENGTH };
