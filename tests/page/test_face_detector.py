"""The face detector (site/js/engine/face-detector.js) on each backend: its
quick pass (the model at 128 px, see QUICK) answers for a picture that is a
face crop exactly when the full-size passes would make the same plan, and
leaves every other picture to them untouched."""
import base64

import pytest

from clips import face_picture
from conftest import FIXTURES

DETECT = """async ({ backend, pictures }) => {
  const { initBackend } = await import('./js/engine/backend.js');
  const { loadFaceDetector } = await import('./js/engine/face-detector.js');
  const { planCrops } = await import('./js/domain/faces.js');
  const tf = await import('./vendor/tf.js');
  await initBackend(backend);
  const site = await loadFaceDetector();
  const full = await loadFaceDetector({ quick: null });
  const before = tf.memory().numTensors;
  const out = [];
  for (const { name, data } of pictures) {
    const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });
    const bitmap = await createImageBitmap(blob);
    const row = { name, backend: tf.getBackend() };
    for (const [key, detector] of [['site', site], ['full', full]]) {
      const found = await detector.detect(bitmap);
      row[key] = { found, passes: detector.lastPasses, plan: planCrops(found, bitmap.width, bitmap.height) };
    }
    out.push(row);
    bitmap.close();
  }
  return { out, leaked: tf.memory().numTensors - before };
}"""


@pytest.mark.parametrize("backend", ["wasm", "cpu", "webgl"])
def test_quick_pass_answers_face_crops_and_only_them(open_page, tmp_path, backend):
    crops = sorted(FIXTURES.glob("*/*.jpg"))
    others = {
        "small face, square": face_picture(tmp_path / "small-square.jpg", crops[:1], size=(600, 600), side=150),
        "two faces, 640x480": face_picture(tmp_path / "two-faces.jpg", crops[1:3], side=200),
    }
    pictures = [(p.name, p) for p in crops] + list(others.items())
    page = open_page(f"?backend={backend}")
    page.wait_ready()
    got = page.page.evaluate(DETECT, {"backend": backend, "pictures": [
        {"name": name, "data": base64.b64encode(path.read_bytes()).decode()} for name, path in pictures]})
    assert got["leaked"] == 0
    rows = {row["name"]: row for row in got["out"]}
    for path in crops:
        row = rows[path.name]
        assert row["backend"] == backend
        assert row["site"]["passes"] == [128], row
        assert row["site"]["plan"]["mode"] == row["full"]["plan"]["mode"] == "tight", row
        assert row["site"]["plan"]["faces"][0]["box"] == row["full"]["plan"]["faces"][0]["box"], row
    small = rows["small face, square"]
    assert small["site"]["passes"] == [128, 256] and small["full"]["passes"] == [256], small
    two = rows["two faces, 640x480"]
    assert two["site"]["passes"] == two["full"]["passes"] == [256], two
    for row in (small, two):
        assert row["site"]["found"] == row["full"]["found"], "the full-size passes answer as without the quick one"
        assert row["site"]["plan"]["mode"] == "faces", row
