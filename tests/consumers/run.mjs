// Consumer tests: the package as npm would publish it (`npm pack`), installed into fresh
// throw-away projects outside the repository, each set up exactly as a user would, with no
// configuration for rnn-wasm: Node ESM (also CommonJS, init options, synchronous stepping, the
// TypeScript declarations under tsc --strict), a real AudioWorklet,
// Vite (production build and dev server), webpack 5, esbuild, and a plain static page. Each web
// app runs the check on its page and in a module Worker, in Debian's Chromium. Every check
// loads a 2-layer LSTM with PyTorch's weights and compares its output with PyTorch's.
//   node tests/consumers/run.mjs [name ...]      (after npm run build; needs the npm registry)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchChromium, serveFolder } from '../e2e/browser.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const REPO = new URL('../..', import.meta.url).pathname;
// The tools a user would have, pinned.
const TOOLS = { node: { typescript: '5.9.3' }, vite: { vite: '8.3.8' }, webpack: { webpack: '5.113.0', 'webpack-cli': '7.3.1' }, esbuild: { esbuild: '0.28.2' } };

const work = mkdtempSync(join(tmpdir(), 'rnn-wasm-consumers-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// A fresh project: package.json, the shared check files (and the consumer's own), rnn-wasm
// installed from the tarball, plus the consumer's tools.
function project(name, tarball, { src = '.', files = [] } = {}) {
  const dir = join(work, name);
  cpSync(join(HERE, 'shared'), join(dir, src), { recursive: true, filter: (f) => !f.endsWith('index.html') });
  for (const file of files) cpSync(join(HERE, file), join(dir, file.split('/').pop()));
  const devDependencies = TOOLS[name] ?? {};
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module', dependencies: { 'rnn-wasm': `file:${tarball}` }, devDependencies }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return dir;
}

// Opens url in Chromium and waits for the page's check (page and Worker, and fit unless the page
// is the AudioWorklet's) to report.
async function inBrowser(browser, url, { fit = true } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    await page.goto(url);
    await page.waitForSelector('body[data-result]', { state: 'attached', timeout: 60000 });
    const result = JSON.parse(await page.getAttribute('body', 'data-result'));
    // Chromium runs relaxed SIMD: the page and its Worker must load that build (the AudioWorklet
    // page hands over the SIMD build's bytes itself).
    const relaxed = !fit || (result.page?.backend === 'relaxed' && result.worker?.backend === 'relaxed');
    const ok = result.page?.ok && result.worker?.ok && (!fit || result.fit?.ok) && relaxed && errors.length === 0;
    return { ok, detail: JSON.stringify({ ...result, errors }) };
  } finally {
    await page.close();
  }
}

// Serves root under subpath (Vite's default build expects to be at the site's root) and opens page.
async function served(browser, root, subpath = '/app/', page = '') {
  const server = await serveFolder(root, subpath);
  try {
    return await inBrowser(browser, `http://127.0.0.1:${server.address().port}${subpath}${page}`, { fit: page === '' });
  } finally {
    server.close();
  }
}

const html = (script, type = 'module') => `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>rnn-wasm consumer</title></head>\n<body><script type="${type}" src="${script}"></script></body></html>\n`;

const consumers = {
  async node(tarball) {
    const dir = project('node', tarball, { files: ['node/main.mjs', 'node/wasm-options.mjs', 'node/commonjs.cjs', 'node/worklet.mjs', 'node/types.ts'] });
    const outputs = [['main.mjs'], ['wasm-options.mjs', 'url'], ['wasm-options.mjs', 'binary'], ['commonjs.cjs'], ['worklet.mjs']]
      .map((args) => `${args.join(' ')}: ${run('node', args, dir).trim()}`); // throws on a non-zero exit
    for (const resolution of [['--module', 'nodenext', '--moduleResolution', 'nodenext'], ['--module', 'esnext', '--moduleResolution', 'bundler']]) {
      run('npx', ['tsc', '--noEmit', '--strict', '--target', 'es2022', ...resolution, 'types.ts'], dir);
      outputs.push(`tsc ${resolution[3]}: ok`);
    }
    return { ok: true, detail: outputs.join('; ') };
  },
  async vite(tarball, browser) {
    const dir = project('vite', tarball);
    writeFileSync(join(dir, 'index.html'), html('./browser.js'));
    run('npx', ['vite', 'build'], dir);
    const built = await served(browser, join(dir, 'dist'), '/');
    // The dev server, with its dependency pre-bundling.
    const dev = spawn('npx', ['vite', '--port', '0', '--host', '127.0.0.1', '--strictPort'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const url = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`vite dev did not start: ${out}`)), 60000);
        dev.stdout.on('data', (d) => {
          out += d;
          const match = out.replace(/\x1b\[[0-9;]*m/g, '').match(/http:\/\/127\.0\.0\.1:\d+\//);
          if (match) { clearTimeout(timer); resolve(match[0]); }
        });
      });
      const devResult = await inBrowser(browser, url);
      return { ok: built.ok && devResult.ok, detail: `build: ${built.detail}; dev: ${devResult.detail}` };
    } finally {
      process.kill(-dev.pid);
    }
  },
  async webpack(tarball, browser) {
    const dir = project('webpack', tarball, { src: 'src' });
    cpSync(join(dir, 'src', 'browser.js'), join(dir, 'src', 'index.js')); // webpack's default entry
    run('npx', ['webpack', '--mode', 'production'], dir);
    writeFileSync(join(dir, 'dist', 'index.html'), html('main.js', 'text/javascript'));
    return served(browser, join(dir, 'dist'));
  },
  async esbuild(tarball, browser) {
    const dir = project('esbuild', tarball, { files: ['node/main.mjs'] });
    run('npx', ['esbuild', 'browser.js', 'worker.js', '--bundle', '--format=esm', '--splitting', '--outdir=dist'], dir);
    writeFileSync(join(dir, 'dist', 'index.html'), html('./browser.js'));
    const web = await served(browser, join(dir, 'dist'));
    // Bundled for Node: no .wasm file beside the code, so init() unpacks the embedded copy.
    run('npx', ['esbuild', 'main.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=node-bundle/main.mjs'], dir);
    const node = run('node', ['node-bundle/main.mjs'], dir).trim(); // throws on a non-zero exit
    return { ok: web.ok, detail: `web: ${web.detail}; Node bundle: ${node}` };
  },
  async static(tarball, browser) {
    // No tool: the page and the Worker import the package's entry by its path; an AudioWorklet
    // (worklet.html) gets the wasm bytes from the page and steps an LSTM in process().
    const dir = project('static', tarball, { files: ['static/worklet.html', 'static/worklet-page.js', 'static/worklet-processor.js', 'static/worklet-signal.js'] });
    const source = readFileSync(join(dir, 'check.js'), 'utf8');
    writeFileSync(join(dir, 'check.js'), source.replace("from 'rnn-wasm'", "from './node_modules/rnn-wasm/dist/index.js'"));
    writeFileSync(join(dir, 'index.html'), html('./browser.js'));
    const page = await served(browser, dir);
    const worklet = await served(browser, dir, '/app/', 'worklet.html');
    return { ok: page.ok && worklet.ok, detail: `page and Worker: ${page.detail}; AudioWorklet: ${worklet.detail}` };
  },
};

const only = process.argv.slice(2);
let failed = 0;
const browser = await launchChromium();
try {
  run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], REPO);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  for (const [name, consumer] of Object.entries(consumers)) {
    if (only.length && !only.includes(name)) continue;
    const started = Date.now();
    let result;
    try {
      result = await consumer(tarball, browser);
    } catch (e) {
      result = { ok: false, detail: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(0)} s): ${result.detail}`);
    if (!result.ok) failed++;
  }
} finally {
  await browser.close();
  if (!process.env.KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
process.exit(failed ? 1 : 0);
