// Builds site/vendor/ from the pinned npm packages (package-lock.json):
// one ES module bundle plus the WASM binaries. Nothing here is committed.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'site', 'vendor');
const wasmDist = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'build', 'vendor-entry.js')],
  outfile: join(out, 'tf.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDist, file), join(out, file));
}
console.log(`vendor: wrote ${out}`);
