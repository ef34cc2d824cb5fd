// The tests run molt's TypeScript sources (ts-node, .mocharc.json); the molt
// processes they start (bin/molt.js: workers, CLI calls) run them too, so every
// test checks the code under test. test/cli/build.spec.ts runs the build.
process.env.MOLT_FROM_SOURCE ??= '1';
