// Node's side of starting a worker from a source string, shared by the thread pool (threads.ts)
// and fit()'s worker (fit/worker-host.ts): both sources are CommonJS.

/**
 * Options for a worker_threads Worker that evaluates a CommonJS source string. A worker inherits
 * the process's options, and with --input-type=module (`node -e`, scripts on stdin) or
 * --experimental-default-type=module its source would run as an ES module, where `require` is
 * not defined and the worker fails at its first line; so those two are left out.
 */
export function commonJsWorkerOptions(): { eval: true; execArgv: string[] } {
  const moduleDefault = /^--(input-type|experimental-default-type)(=|$)/;
  const execArgv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (!moduleDefault.test(arg)) execArgv.push(arg);
    else if (!arg.includes('=')) i++; // its value is the next argument
  }
  return { eval: true, execArgv };
}
