"""The analysis engine's API as another page uses it (docs/engine.md): the
documented example page, and the calls directly: scores equal Keras's, maps,
an unreadable picture as an InputError, tensors flat."""
import base64
import re

import numpy as np
import pytest
from PIL import Image

from conftest import FIXTURES, ROOT, SITE_DIR
from convert import mesonet, webserver
from convert.preprocess import decode, to_input

PIPELINE_TOLERANCE = 1e-4  # as the site's tests: the JPEG decoder and the backend's arithmetic


@pytest.fixture(scope="module")
def keras_df():
    model = mesonet.load_source("meso4-df").model
    return lambda paths: model(np.stack([to_input(decode(p)) for p in paths]), training=False).numpy().reshape(-1)


@pytest.fixture(scope="module")
def docs_site(site_model):
    """The site with the docs' examples where the deployed site has them (docs/examples/)."""
    with webserver.serve({"/": SITE_DIR, "/docs/examples": ROOT / "docs" / "examples"}) as url:
        yield url


def test_the_documented_example_page_scores_a_face(chromium, docs_site, keras_df):
    context = chromium.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{docs_site}/docs/examples/score-an-image.html")
        out = page.locator("#out")
        out.filter(has_text="Ready:").wait_for(timeout=60_000)
        assert "(worker)" in out.inner_text()
        for face in sorted(FIXTURES.glob("*/*.jpg")):
            page.set_input_files("#file", str(face))
            out.filter(has_text="P(real)").wait_for(timeout=60_000)
            text = out.inner_text()
            (score,) = re.findall(r"P\(real\) ([0-9.]+)%", text)
            assert float(score) / 100 == pytest.approx(float(keras_df([face])[0]), abs=1e-3), text
            assert ("likely manipulated" in text) == (face.parent.name == "df"), text
            page.evaluate("document.getElementById('out').textContent = ''")
        assert errors == []
    finally:
        context.close()


def test_engine_calls(open_page, keras_df):
    """The calls the page makes, made directly: analyseImage, explain, an InputError, tensors."""
    page = open_page("?backend=wasm")
    page.page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
    faces = sorted(FIXTURES.glob("*/*.jpg"))
    result = page.page.evaluate("""async (files) => {
      const engine = await (await import('./js/app/main.js')).engine;
      const { InputError } = await import('./js/engine/errors.js');
      const before = await engine.tensors();
      const scored = [];
      for (const data of files) {
        const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });
        const r = await engine.analyseImage(blob, { explain: true });
        scored.push({ mode: r.analysis.mode, pReal: r.analysis.faces.map((f) => f.pReal),
          maps: r.maps.map((m) => m.size), crops: r.crops.map((c) => [c.width, c.height]),
          preview: [r.preview.width, r.preview.height], width: r.width });
        const again = await engine.explain(blob, r.analysis.faces.map((f) => f.box));
        scored.at(-1).same = Array.from(again.maps[0].values).every((v, i) => Math.abs(v - r.maps[0].values[i]) < 1e-6);
        r.preview.close();
      }
      let refused = null;
      try {
        const damaged = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2])], { type: 'image/jpeg' });
        await engine.analyseImage(damaged, { format: 'jpeg' });
      } catch (error) {
        refused = { input: error instanceof InputError, message: error.message };
      }
      return { scored, refused, where: engine.where, leaked: (await engine.tensors()) - before };
    }""", [base64.b64encode(p.read_bytes()).decode() for p in faces])
    assert result["where"] == "worker"
    for row in result["scored"]:
        assert row["mode"] == "tight" and row["maps"] == [[32, 32]] and row["crops"] == [[128, 128]], row
        assert row["preview"] == [row["width"]] * 2 and row["same"], row
    np.testing.assert_allclose([r["pReal"][0] for r in result["scored"]], keras_df(faces), atol=PIPELINE_TOLERANCE)
    assert result["refused"] == {
        "input": True, "message": "This file could not be read as an image: the JPEG data is damaged or incomplete."}
    assert result["leaked"] == 0


@pytest.mark.parametrize("backend", ["wasm", "cpu"])
def test_model_input_equals_python_to_input(open_page, tmp_path, backend):
    """engine/preprocess.js cropToInput gives exactly convert/preprocess.py's
    to_input: the whole picture, boxes of odd sizes and places, and a picture
    above the size that is gathered pixel by pixel (lossless PNGs: the same
    pixels in both decoders)."""
    cases = []
    for width, height, boxes in ((224, 224, [None]), (343, 301, [None, (17, 5, 260, 260), (42, 0, 301, 301)]),
                                 (640, 480, [(333, 101, 97, 97), (0, 0, 640, 480)]),
                                 (2100, 2060, [None])):
        y, x = np.mgrid[0:height, 0:width]
        # neighbours differ in every channel: a pixel read one off shows
        rgb = np.stack([x % 251, y % 241, (7 * x + 13 * y) % 256], axis=-1).astype(np.uint8)
        path = tmp_path / f"{width}x{height}.png"
        Image.fromarray(rgb).save(path)
        for box in boxes:
            cases.append((path, box or (0, 0, width, height)))
    page = open_page(f"?backend={backend}")
    page.wait_ready()
    got = page.page.evaluate("""async ({ backend, cases }) => {
      const { initBackend } = await import('./js/engine/backend.js');
      const { cropToInput, decodeImage } = await import('./js/engine/preprocess.js');
      const tf = await import('./vendor/tf.js');
      await initBackend(backend);
      const spec = (await (await fetch('./model/meso4-df/metadata.json')).json()).input;
      const out = [];
      for (const { data, box: [x, y, w, h] } of cases) {
        const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/png' });
        const bitmap = await decodeImage(blob);
        const input = await cropToInput(bitmap, spec, { x, y, w, h });
        const bytes = new Uint8Array((await input.data()).buffer);
        let text = '';
        for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        out.push({ shape: input.shape, values: btoa(text), backend: tf.getBackend() });
        input.dispose();
        bitmap.close();
      }
      return { out, tensors: tf.memory().numTensors };
    }""", {"backend": backend, "cases": [{"data": base64.b64encode(p.read_bytes()).decode(), "box": list(b)}
                                        for p, b in cases]})
    assert got["tensors"] == 0
    for (path, box), row in zip(cases, got["out"]):
        assert row["backend"] == backend
        expected = to_input(decode(path), box)
        assert row["shape"] == list(expected.shape)
        values = np.frombuffer(base64.b64decode(row["values"]), np.float32).reshape(expected.shape)
        np.testing.assert_array_equal(values, expected, err_msg=f"{path.name} {box}")
