// CommonJS: rnn-wasm is an ES module, loaded from CommonJS with import() (init() is async anyway).
(async () => {
  const { runCheck } = await import('./check.js');
  const result = await runCheck();
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
})();
