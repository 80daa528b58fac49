// The browser side of every web consumer: the check on the page and in a module Worker, and fit()
// in its own worker; the outcome goes to document.body.dataset.result for the test to read.
import { runCheck, runFitCheck } from './check.js';

async function inWorker() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
  });
}

Promise.all([runCheck(), inWorker(), runFitCheck()]).then(
  ([page, worker, fitted]) => { document.body.dataset.result = JSON.stringify({ page, worker, fit: fitted }); },
  (error) => { document.body.dataset.result = JSON.stringify({ error: String(error?.stack ?? error) }); },
);
