/** The CLI's errors live in the neutral src/errors.ts (input/, pipeline/ and output/ import them too). */
export { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, isUsageError, systemErrorText, UsageError } from '../errors.js';
