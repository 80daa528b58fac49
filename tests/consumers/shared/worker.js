// The check inside a module Worker.
import { runCheck } from './check.js';

runCheck().then((result) => postMessage(result), (error) => postMessage({ error: String(error?.stack ?? error) }));
