"""The page runs the converted model in real Chromium and agrees with the
Python reference pipeline (decode -> resize -> /255 -> Keras)."""
import numpy as np
import pytest

from conftest import FIXTURES
from convert import mesonet
from convert.preprocess import load_inputs
from convert.site_page import rendered_text

# End to end, the page and Python may differ by the JPEG decoder (both
# libjpeg-turbo here) and by the backend's arithmetic; this bounds both.
PIPELINE_TOLERANCE = 1e-4
BACKENDS = ["cpu", "wasm", "webgl"]


@pytest.fixture(scope="module")
def reference():
    model = mesonet.load_source("meso4-df").model
    return lambda paths: model(load_inputs(paths), training=False).numpy().reshape(-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_page_starts_on_the_forced_backend(open_page, backend, site_model):
    page = open_page(f"?backend={backend}")
    page.page.locator("[data-testid=status][data-state=ready]").wait_for()
    assert page.page.locator("[data-testid=backend]").text_content() == backend
    assert page.page.locator("[data-testid=model-name]").inner_text() == site_model["name"]
    assert page.errors == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_output_meaning_on_fixtures(open_page, backend, reference):
    """meso4-df: the manipulated fixtures score near 0, the real ones near 1."""
    fakes = sorted((FIXTURES / "df").glob("*.jpg"))
    reals = sorted((FIXTURES / "real").glob("*.jpg"))
    page = open_page(f"?backend={backend}")
    page.wait_ready()
    before = page.tensors()
    rows = page.add_files(fakes + reals)
    scores = np.array([float(r["p_real"]) for r in rows])
    assert all(r["state"] == "done" for r in rows)
    assert (scores[:len(fakes)] < 0.1).all() and (scores[len(fakes):] > 0.9).all(), scores
    assert [r["verdict"] for r in rows] == ["fake"] * len(fakes) + ["real"] * len(reals)
    np.testing.assert_allclose(scores, reference(fakes + reals), atol=PIPELINE_TOLERANCE)
    assert page.tensors() == before
    assert page.foreign_requests() == []


def test_unreadable_file_gets_an_error_card_and_others_finish(open_page, tmp_path):
    bogus = tmp_path / "holiday.jpg"
    bogus.write_text("not really a JPEG")
    good = sorted((FIXTURES / "real").glob("*.jpg"))[0]
    page = open_page("?backend=cpu")
    page.wait_ready()
    rows = page.add_files([bogus, good])
    assert rows[0]["state"] == "error" and rows[1]["state"] == "done"
    message = page.page.locator("[data-testid=result]").nth(0).locator("[data-testid=error]")
    assert "not a JPEG, PNG, WebP, AVIF, GIF or BMP image" in rendered_text(message)


def test_unknown_backend_is_reported(open_page):
    page = open_page("?backend=cuda")
    status = page.page.locator("[data-testid=status][data-state=error]")
    status.wait_for()
    assert 'Unknown backend "cuda"' in status.inner_text()
