// Builds site/vendor/ from the pinned npm packages (package-lock.json):
// TF.js as one ES module bundle with its WASM binaries, the face detector's
// model, and mediabunny (the video reader) as a second bundle, with their
// licences (served by the site itself: nothing is fetched from elsewhere
// at run time). Nothing here is committed.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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

// The video reader: mediabunny (MPL-2.0), unmodified; its file-level licence
// header stays in the bundle (legalComments: eof), with the licence and our
// notice (where its source is) beside it.
const mediabunny = join(root, 'node_modules', 'mediabunny');
const mediabunnyVersion = JSON.parse(readFileSync(join(mediabunny, 'package.json'), 'utf8')).version;
await build({
  entryPoints: [join(root, 'build', 'mediabunny-entry.js')],
  outfile: join(out, 'mediabunny.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'eof',
  banner: { js: `/*! mediabunny ${mediabunnyVersion} (MPL-2.0), unmodified: see NOTICE-mediabunny.txt beside this file */` },
  logLevel: 'warning',
});
copyFileSync(join(mediabunny, 'LICENSE'), join(out, 'LICENSE-mediabunny.txt'));
copyFileSync(join(root, 'build', 'notices', 'NOTICE-mediabunny.txt'), join(out, 'NOTICE-mediabunny.txt'));

for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDist, file), join(out, file));
}
mkdirSync(join(out, 'face-models'), { recursive: true });
// The face detector: BlazeFace (Google MediaPipe, Apache-2.0; the full-range
// model, 256 px input) as converted to a TF.js graph model in @vladmandic/human
// (MIT; the same bytes as human-models' blazeface-back, without that package's
// dependencies): the model, both licences and our notice.
const human = join(root, 'node_modules', '@vladmandic', 'human');
for (const name of ['blazeface.json', 'blazeface.bin']) {
  copyFileSync(join(human, 'models', name), join(out, 'face-models', name));
}
copyFileSync(join(human, 'LICENSE'), join(out, 'face-models', 'LICENSE-human.txt'));
for (const name of ['NOTICE-BlazeFace.txt', 'LICENSE-Apache-2.0.txt']) {
  copyFileSync(join(root, 'build', 'notices', name), join(out, 'face-models', name));
}
console.log(`vendor: wrote ${out}`);
