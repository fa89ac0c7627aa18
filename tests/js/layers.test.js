// The site's modules in layers (docs/architecture.md): every import, whether
// it runs (import, import(), new URL, new Worker) or is a JSDoc type, points
// the way the layers allow, and the modules that run import no circle.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const JS = resolve(dirname(fileURLToPath(import.meta.url)), '../../site/js');
/** What each layer may import besides itself. */
const MAY_IMPORT = {
  domain: [],
  engine: ['domain'],
  sources: ['domain'],
  views: ['domain'],
  app: ['domain', 'engine', 'sources', 'views'],
};
const RUNS = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*|new Worker\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;
const TYPE = /\bimport\((['"])(\.{1,2}\/[^'"]*)\1\)\./g;

function modules(dir = JS) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? modules(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : []);
}

/** @returns {{ spec: string, target: string, type: boolean }[]} */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const [pattern, type] of [[TYPE, true], [RUNS, false]]) {
    for (const match of text.matchAll(pattern)) {
      if (!type && text.slice(match.index + match[0].length).startsWith(').')) continue; // a type import()
      found.push({ spec: match[2], target: resolve(dirname(file), match[2]), type });
    }
  }
  return found;
}

const layerOf = (file) => relative(JS, file).split('/')[0];

test('every module lives in a layer folder', () => {
  const loose = modules().filter((file) => !relative(JS, file).includes('/'));
  assert.deepEqual(loose.map((f) => relative(JS, f)), []);
  assert.deepEqual(Object.keys(MAY_IMPORT).sort(), [...new Set(modules().map(layerOf))].sort());
});

test('imports run one way: app -> engine, sources, views -> domain', () => {
  const wrong = [];
  for (const file of modules()) {
    const from = layerOf(file);
    for (const { spec, target, type } of importsOf(file)) {
      if (!target.startsWith(JS + '/')) {
        // outside site/js: the bundled libraries (vendor/), the service worker's file
        if (from === 'domain') wrong.push(`${relative(JS, file)} imports ${spec} (domain imports nothing)`);
        continue;
      }
      const to = layerOf(target);
      if (to !== from && !MAY_IMPORT[from].includes(to)) {
        wrong.push(`${relative(JS, file)} imports ${type ? 'types from ' : ''}${relative(JS, target)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the modules that run import no circle', () => {
  const graph = new Map(modules().map((file) => [file, importsOf(file)
    .filter(({ type, target }) => !type && target.endsWith('.js') && target.startsWith(JS + '/'))
    .map(({ target }) => target)]));
  const state = new Map(); // 1: on the path, 2: done
  const circles = [];
  const visit = (file, path) => {
    state.set(file, 1);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 1) circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(JS, f)).join(' -> '));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, 2);
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(circles, []);
});

test('the check sees imports of every kind', () => {
  // guards the patterns above: a module with one import of each kind
  const found = importsOf(join(JS, 'app', 'main.js'));
  assert.ok(found.some((i) => !i.type && i.spec === '../engine/client.js'), 'a static import');
  assert.ok(found.some((i) => i.type && i.spec === '../domain/engine-api.js'), 'a JSDoc type import');
  const client = importsOf(join(JS, 'engine', 'client.js'));
  assert.ok(client.some((i) => !i.type && i.spec === './core.js'), 'a dynamic import()');
  assert.ok(client.some((i) => !i.type && i.spec === './worker.js'), 'a new URL() worker script');
});
