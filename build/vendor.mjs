// Builds site/vendor/ from the pinned npm packages (package-lock.json):
// one ES module bundle, the WASM binaries and the face detector's weights
// (served by the site itself: nothing is fetched from elsewhere at run time).
// Nothing here is committed.
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
// Face detector weights shipped with @vladmandic/face-api (MIT): SSD MobileNet v1
// (accurate, used on every image) and the tiny detector (kept for fast paths).
const faceModels = join(root, 'node_modules', '@vladmandic', 'face-api', 'model');
mkdirSync(join(out, 'face-models'), { recursive: true });
for (const name of ['ssd_mobilenetv1_model', 'tiny_face_detector_model']) {
  for (const suffix of ['-weights_manifest.json', '.bin']) {
    copyFileSync(join(faceModels, name + suffix), join(out, 'face-models', name + suffix));
  }
}
console.log(`vendor: wrote ${out}`);
