// End-to-end: the built demo (web-demo/dist) served on localhost under a sub-path, opened in
// Debian's Chromium through playwright-core, used as a person would. Screenshots of each panel
// go to test-artifacts/. Prints "N passed, M failed"; exits non-zero on any failure.
//   node tests/e2e/demo.test.mjs     (after npm run demo:build)
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium, serveFolder } from './browser.mjs';

const ROOT = new URL('../../web-demo/dist/', import.meta.url).pathname;
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const SUBPATH = '/some/sub/path/'; // the site must work from any sub-path

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

if (!existsSync(join(ROOT, 'index.html'))) {
  console.error('e2e: web-demo/dist is missing: run npm run demo:build first');
  process.exit(1);
}
mkdirSync(ARTIFACTS, { recursive: true });
const server = await serveFolder(ROOT, SUBPATH);
const url = `http://127.0.0.1:${server.address().port}${SUBPATH}`;
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', (e) => consoleErrors.push(e.message));
const offSite = [];
page.on('request', (r) => !r.url().startsWith(`http://127.0.0.1:${server.address().port}/`) && !r.url().startsWith('data:') && !r.url().startsWith('blob:') && offSite.push(r.url()));

try {
  await page.goto(url);
  await check('the page loads the models and says which build runs', async () => {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    const status = await page.textContent('#status');
    assert(/build: WebAssembly SIMD/.test(status) && /wasm [1-9]\d* KB/.test(status) && /ready in \d+ ms/.test(status), `status line: ${status}`);
  });

  const sentiment = async (text) => {
    await page.fill('#sentiment-input', text);
    await page.waitForFunction((t) => document.querySelector('#sentiment-words').textContent.length > 0 && document.querySelectorAll('#sentiment-words span').length === t, text.split(/\s+/).length, { timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(300);
    return page.getAttribute('#sentiment-result', 'data-label');
  };
  await check('a clearly positive sentence is positive', async () => {
    const label = await sentiment('a gorgeous , witty , seductive movie that is full of heart .');
    assert(label === 'positive', `label ${label}`);
  });
  await check('a clearly negative sentence is negative', async () => {
    const label = await sentiment('the plot is a mess , the acting is terrible and the whole thing is boring .');
    assert(label === 'negative', `label ${label}`);
  });
  await check('the chart has a point per word, the words are coloured', async () => {
    await page.click('#sentiment-examples button:nth-child(3)'); // "not bad at all"
    await page.waitForTimeout(400);
    const points = await page.$$eval('#sentiment-chart circle', (c) => c.length);
    const words = await page.$$eval('#sentiment-words span', (s) => s.map((x) => getComputedStyle(x).backgroundColor));
    assert(points === 4 && words.length === 4 && words.every((b) => /^rgba?\(/.test(b) && b !== 'rgba(0, 0, 0, 0)'), `points ${points}, words ${words.join(' ')}`);
    await page.locator('#sentiment-panel').screenshot({ path: join(ARTIFACTS, 'sentiment-panel.png') });
  });

  await check('a prefix gets five suggestions; clicking one appends it', async () => {
    const prefix = 'the people of the united ';
    await page.fill('#nextword-input', prefix);
    await page.waitForFunction((p) => document.querySelector('#suggestions').dataset.text === p && document.querySelectorAll('#suggestions li').length === 5, prefix, { timeout: 10000 });
    const word = await page.getAttribute('#suggestions li:first-child', 'data-word');
    await page.click('#suggestions li:first-child');
    await page.waitForTimeout(300);
    const text = await page.inputValue('#nextword-input');
    assert(text.trim().endsWith(word), `text "${text}" does not end with "${word}"`);
    const timing = await page.textContent('#nextword-timing');
    assert(/ms per step/.test(timing) && /fed 1 new token/.test(timing), `timing: ${timing}`);
  });
  await check('"continue" adds words', async () => {
    const before = (await page.inputValue('#nextword-input')).trim().split(/\s+/).length;
    await page.click('#continue');
    await page.waitForFunction((n) => document.querySelector('#nextword-input').value.trim().split(/\s+/).length > n, before, { timeout: 10000 });
    await page.locator('#nextword-panel').screenshot({ path: join(ARTIFACTS, 'nextword-panel.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
  });
  await check('no errors in the console, no request leaves the site', async () => {
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    assert(offSite.length === 0, `off-site requests: ${offSite.join(', ')}`);
  });
} finally {
  await browser.close();
  server.close();
}
const failed = results.filter(([, ok]) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
