// Shared by the sources of the library's Node workers (the thread pool's, threads.ts, and fit()'s,
// fit/worker-host.ts), which Node evaluates as CommonJS, or as an ES module when the process was
// started so (`node --input-type=module -e`, scripts on stdin: a worker inherits the option),
// and an ES module has no `require`.

/** Source text of a function that returns a Node built-in module, in either kind of worker (`process.getBuiltinModule`: Node 20.16+). */
export const NODE_BUILTIN = "(typeof require === 'function' ? require : process.getBuiltinModule)";
