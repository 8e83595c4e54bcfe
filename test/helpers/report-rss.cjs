// Preloaded into a child process by test/input.test.ts: prints its peak RSS (KiB) on exit.
process.on('exit', () => process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\n`));
