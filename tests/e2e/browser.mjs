// What the browser tests share: a static file server on localhost and Debian's Chromium.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

import { chromium } from 'playwright-core';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * Serves the folder `root` under `subpath` on 127.0.0.1 at a free port, with `headers` on every
 * response (e.g. COOP/COEP for a cross-origin-isolated page); resolves to the server.
 */
export function serveFolder(root, subpath = '/', headers = {}) {
  root = normalize(root.endsWith(sep) ? root : root + sep);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(subpath)) return res.writeHead(404).end();
    let file = normalize(join(root, path.slice(subpath.length)));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Debian's Chromium, headless, with no network of its own (see the README's test notes). */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Serves the repository (with `headers`), opens `path` in Chromium and waits for the page to put
 * its JSON result in body[data-result]; resolves to it, with the browser's version. For the
 * benchmarks that run in a page.
 */
export async function resultOfPage(path, { headers = {}, timeoutMs = 60 * 60_000 } = {}) {
  const browser = await launchChromium();
  const server = await serveFolder(process.cwd(), '/', headers);
  try {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error(`page: ${m.text()}`));
    await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
    await page.waitForSelector('body[data-result]', { state: 'attached', timeout: timeoutMs });
    const result = JSON.parse(await page.getAttribute('body', 'data-result'));
    if (result.error) throw new Error(result.error);
    return { ...result, version: browser.version() };
  } finally {
    server.close();
    await browser.close();
  }
}
