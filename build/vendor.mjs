// Builds site/vendor/ from the pinned npm packages (package-lock.json):
// TF.js as one ES module bundle with its WASM binaries, the face detector's
// model, mediabunny (the video reader) as a second bundle, with their
// licences (served by the site itself: nothing is fetched from elsewhere
// at run time), the incremental SHA-256 the page hashes large files with
// (@noble/hashes, MIT), and the sample pictures "Try a sample" adds (two of
// the repository's MesoNet test images, Apache-2.0, with their LICENSE and
// NOTICE). Nothing here is committed.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'site', 'vendor');
const wasmDist = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/**
 * One ES module bundle for the browser, minified, from build/<entry> into out/<file>.
 * @param {string} entry @param {string} file @param {object} options esbuild's, besides
 */
function bundle(entry, file, options) {
  return build({
    entryPoints: [join(root, 'build', entry)], outfile: join(out, file),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true, logLevel: 'warning',
    ...options,
  });
}

await bundle('vendor-entry.js', 'tf.js', { legalComments: 'linked' });

// Types for the checker (jsconfig.json, `tsc`): each bundle's .d.ts re-exports
// its entry's packages, whose own types come with them (never loaded by the page).
writeFileSync(join(out, 'tf.d.ts'), readFileSync(join(root, 'build', 'vendor-entry.js'), 'utf8'));
writeFileSync(join(out, 'mediabunny.d.ts'), readFileSync(join(root, 'build', 'mediabunny-entry.js'), 'utf8'));

// The video reader: mediabunny (MPL-2.0), unmodified; its file-level licence
// header stays in the bundle (legalComments: eof), with the licence and our
// notice (where its source is) beside it.
const mediabunny = join(root, 'node_modules', 'mediabunny');
const mediabunnyVersion = JSON.parse(readFileSync(join(mediabunny, 'package.json'), 'utf8')).version;
await bundle('mediabunny-entry.js', 'mediabunny.js', {
  legalComments: 'eof',
  banner: { js: `/*! mediabunny ${mediabunnyVersion} (MPL-2.0), unmodified: see NOTICE-mediabunny.txt beside this file */` },
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
// SHA-256 in slices for files too large to read whole (site/js/domain/file-hash.js).
await bundle('sha256-entry.js', 'sha256.js', { legalComments: 'eof' });
copyFileSync(join(root, 'node_modules', '@noble', 'hashes', 'LICENSE'), join(out, 'sha256.LICENSE.txt'));
writeFileSync(join(out, 'sha256.d.ts'), readFileSync(join(root, 'build', 'sha256-entry.js'), 'utf8'));

// "Try a sample": one manipulated and one real face from the MesoNet test images.
const samples = join(root, 'data', 'mesonet-test-images');
mkdirSync(join(out, 'samples'), { recursive: true });
for (const [from, to] of [['df/df01254.jpg', 'sample-deepfake.jpg'], ['real/real00240.jpg', 'sample-real.jpg']]) {
  copyFileSync(join(samples, from), join(out, 'samples', to));
}
for (const name of ['LICENSE', 'NOTICE']) copyFileSync(join(samples, name), join(out, 'samples', `${name}.txt`));
writeFileSync(join(out, 'samples', 'README.txt'), `The sample pictures of "Try a sample", unchanged copies of two of the
MesoNet test images (DariusAf/MesoNet at commit 2144d56a30e48cdcac1976ff13a1c5cdc86376c6):
sample-deepfake.jpg is test_images/df/df01254.jpg (a Deepfake face swap),
sample-real.jpg is test_images/real/real00240.jpg (an authentic face).
Licence: Apache-2.0 (LICENSE.txt, NOTICE.txt).
`);
console.log(`vendor: wrote ${out}`);
