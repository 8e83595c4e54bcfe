#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): starting Node's ESM loader for this one import
// costs ~40 ms, half again the start-up of Node itself (bench/startup.mjs). The bundle is
// compiled with V8's code cache that the build writes next to it (bin/code-cache.js).
const { join } = require('node:path');
const { compileBundle, runBundle } = require('./code-cache.js');

const bundle = join(__dirname, '../dist/focal.cjs');
runBundle(compileBundle(bundle), bundle);
