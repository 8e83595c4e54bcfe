#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): starting Node's ESM loader for this one import
// costs ~40 ms, half again the start-up of Node itself (bench/startup.sh).
require('../dist/focal.cjs');
