"""The site's face detector (site/js/engine/face-detector.js) driven from Python:
pictures in, detections out, as the page finds them. Shared by
bench.face_detector and bench.crop_calibration.

    with detector_page(folder) as detect:
        detect(["a.jpg", "b.png"])   # names relative to folder -> [[{x, y, width, height, score}]]
"""
import sys
from contextlib import contextmanager
from pathlib import Path

from convert import browser, webserver
from convert.constants import SITE_DIR

# In the page: one detector per tiling setting, made on first use.
DETECT = """async ({ names, tiling }) => {
  const { loadFaceDetector } = await import('/js/engine/face-detector.js');
  const key = JSON.stringify(tiling);
  window.__detectors ??= {};
  window.__detectors[key] ??= await loadFaceDetector(tiling ?? {});
  const detector = window.__detectors[key];
  const out = [];
  for (const name of names) {
    const bitmap = await createImageBitmap(await (await fetch('/pictures/' + name)).blob(),
      { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const found = await detector.detect(bitmap);
    bitmap.close();
    out.push(found.map(({ x, y, width, height, score }) => ({ x, y, width, height, score })));
  }
  return out;
}"""

# Warm time of one call: calls for warmMs (V8 optimises hot WASM code late), then the median of `repeat`.
TIME = """async ({ name, tiling, warmMs, repeat }) => {
  const { loadFaceDetector } = await import('/js/engine/face-detector.js');
  const key = JSON.stringify(tiling);
  window.__detectors ??= {};
  window.__detectors[key] ??= await loadFaceDetector(tiling ?? {});
  const detector = window.__detectors[key];
  const bitmap = await createImageBitmap(await (await fetch('/pictures/' + name)).blob());
  const started = performance.now();
  while (performance.now() - started < warmMs) await detector.detect(bitmap);
  const times = [];
  for (let i = 0; i < repeat; i += 1) {
    const t = performance.now();
    await detector.detect(bitmap);
    times.push(performance.now() - t);
  }
  bitmap.close();
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}"""

TENSORS = "import('/vendor/tf.js').then((tf) => tf.memory().numTensors)"
# A blank page of the site's origin with its backend started, as the site starts it.
START = "async (backend) => (await import('/js/engine/backend.js')).initBackend(backend)"


@contextmanager
def detector_page(folder, backend="wasm", isolated=False):
    """Yields detect(names, options=None) -> detections per picture; detect.time(name, ...) -> ms.
    options: loadFaceDetector's (tiling, retry); None: the site's."""
    with webserver.serve({"/": SITE_DIR, "/pictures/": Path(folder)}, isolated=isolated) as url, \
            browser.launch() as chromium:
        page = chromium.new_page()
        page.on("crash", lambda _: sys.exit("the detector page crashed"))
        (Path(folder) / "blank.html").write_text("<!doctype html><title>detector</title>")
        page.goto(f"{url}/pictures/blank.html")
        page.evaluate(START, backend)

        def detect(names, tiling=None, chunk=50):
            out = []
            for i in range(0, len(names), chunk):
                out += page.evaluate(DETECT, {"names": [str(n) for n in names[i:i + chunk]], "tiling": tiling})
            return out

        detect.time = lambda name, tiling=None, warm_ms=1000, repeat=15: page.evaluate(
            TIME, {"name": str(name), "tiling": tiling, "warmMs": warm_ms, "repeat": repeat})
        detect.tensors = lambda: page.evaluate(TENSORS)
        detect.page = page
        yield detect
