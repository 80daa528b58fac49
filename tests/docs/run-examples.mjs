// Runs every JavaScript and TypeScript code block of the README and docs/*.md in Node, so no
// example can rot. Each block becomes a module that imports from 'rnn-wasm' whatever API names it
// uses without importing, calls init(), and takes any other name it uses without declaring from
// fixtures.mjs (so `lstm.forward(x)` runs on a real LSTM and a real x). TypeScript is compiled
// first. A block fails when it throws, exits non-zero or uses a name nobody defines.
//   node tests/docs/run-examples.mjs             (after npm run build)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

import * as api from 'rnn-wasm';
import ts from 'typescript';

import { names as fixtureNames } from './fixtures.mjs';

const REPO = new URL('../../', import.meta.url);
const OUT = new URL('.examples/', import.meta.url);
const documents = ['README.md', ...readdirSync(new URL('docs/', REPO)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function blocks(document) {
  const lines = readFileSync(new URL(document, REPO), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(js|javascript|ts|typescript)\s*$/);
    if (!open) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !lines[i + 1].startsWith('```')) i++;
    found.push({ line: start, typescript: open[1].startsWith('t'), code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return found;
}

// Names a module declares at its top level, and every identifier it mentions.
function scan(code) {
  const source = ts.createSourceFile('example.mjs', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const declared = new Set(), used = new Set();
  const bind = (name) => {
    if (ts.isIdentifier(name)) declared.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isParameter(node)) {
      if (node.name) bind(node.name);
    } else if (ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportClause(node)) {
      if (node.name) declared.add(node.name.text);
    } else if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isProperty = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
      if (!isProperty) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { declared, used };
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
let passed = 0, failed = 0;
for (const document of documents) {
  for (const block of blocks(document)) {
    const where = `${document}:${block.line}`;
    const code = block.typescript ? ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : block.code;
    const { declared, used } = scan(code);
    const missing = (name) => used.has(name) && !declared.has(name);
    const fromApi = Object.keys(api).filter(missing);
    const fromFixtures = fixtureNames.filter((name) => missing(name) && !(name in api));
    const module = [
      `import * as __api from 'rnn-wasm';`,
      `import { make as __make } from '../fixtures.mjs';`,
      fromApi.length ? `const { ${fromApi.join(', ')} } = __api;` : '',
      `await __api.init();`,
      fromFixtures.length ? `const { ${fromFixtures.join(', ')} } = __make(${JSON.stringify(fromFixtures)});` : '',
      `// ${where}`,
      code,
    ].join('\n');
    const file = new URL(`${document.replace(/\W/g, '_')}_${block.line}.mjs`, OUT);
    writeFileSync(file, module);
    try {
      execFileSync('node', [file.pathname], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60000 });
      passed++;
      console.log(`ok   ${where}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${where}: ${(e.stderr || e.message).trim().split('\n').slice(0, 6).join('\n     ')}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
