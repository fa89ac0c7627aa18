"""Heatmaps in the page: drawn for every face when switched on, equal to the
Python Grad-CAM on the same crop, never changing a score, leaking nothing."""
import numpy as np
import pytest
from PIL import Image

from clips import face_picture
from conftest import FIXTURES
from convert import explain, mesonet
from convert.preprocess import decode, to_input
from convert.site_page import CARD
from tests.convert.test_explain import MAP_TOLERANCE, MIN_CORRELATION  # another folder: by its full name


def analyse(page, paths):
    """Once ready, the files through the picker; every card, once done."""
    page.wait_ready()
    page.add_files(paths, states=("done",), timeout_ms=90_000)
    return page.page.locator(CARD)


def wait_maps(cards, n):
    for i in range(n):
        cards.nth(i).locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=90_000)


def page_maps(card):
    """[(box, map 32x32)] for each face of a card."""
    out = []
    faces = card.locator("[data-testid=face]")
    for i in range(faces.count()):
        face = faces.nth(i)
        canvas = face.locator("[data-testid=heatmap]")
        h, w = (int(v) for v in canvas.get_attribute("data-map-size").split("x"))
        values = np.array(canvas.get_attribute("data-map").split(","), np.float32).reshape(h, w)
        box = [int(v) for v in face.get_attribute("data-box").split(",")]
        out.append((box, values))
    return out


@pytest.fixture(scope="module")
def meso4():
    return mesonet.load_source("meso4-df").model


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    """A 640x480 picture with two fixture faces in it, as a JPEG file."""
    faces = sorted(FIXTURES.rglob("*.jpg"))
    return face_picture(tmp_path_factory.mktemp("frame") / "frame.jpg", faces[1:3], side=180)


@pytest.fixture(scope="module")
def small_crop(tmp_path_factory):
    """A fixture face resized to 224x224 (as DFDC's crops are), as a PNG."""
    path = tmp_path_factory.mktemp("crop") / "crop-224.png"
    Image.open(sorted(FIXTURES.rglob("*.jpg"))[1]).resize((224, 224), Image.BILINEAR).save(path)
    return path


def test_switching_heatmaps_on_draws_python_equal_maps(open_page, meso4, frame, small_crop):
    faces = sorted(FIXTURES.rglob("*.jpg")) + [small_crop, frame]
    page = open_page("?backend=wasm&model=meso4-df")
    cards = analyse(page, faces)
    assert page.page.locator("[data-testid=heatmap]").count() == 0  # off: nothing computed
    scores = [cards.nth(i).get_attribute("data-p-real") for i in range(len(faces))]
    baseline = page.tensors()

    page.page.check("[data-testid=heatmap-toggle]")
    wait_maps(cards, len(faces))
    assert page.page.locator("[data-testid=heatmap-legend]").is_visible()
    for i, path in enumerate(faces):
        card = cards.nth(i)
        maps = page_maps(card)
        assert len(maps) == card.locator("[data-testid=face]").count() >= 1
        rgb = decode(path)
        for box, ours in maps:
            x = to_input(rgb, box)[None]
            theirs = explain.normalise(explain.grad_cam(meso4, x))[0]
            assert ours.shape == theirs.shape == (32, 32)
            assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] >= MIN_CORRELATION, path.name
            assert np.abs(ours - theirs).max() <= MAP_TOLERANCE + 1e-5  # + the 5-decimal rounding
        canvas = card.locator("[data-testid=heatmap]").first
        assert canvas.is_visible()
        drawn = canvas.evaluate("(c) => c.getContext('2d').getImageData(0, 0, c.width, c.height)"
                                ".data.filter((v, i) => i % 4 === 3 && v > 0).length")
        assert drawn > 0
    assert [cards.nth(i).get_attribute("data-p-real") for i in range(len(faces))] == scores
    assert page.tensors() == baseline
    assert page.errors == [] and page.foreign_requests() == []


def test_switch_hides_without_recomputing_and_opacity_applies(open_page):
    face = sorted((FIXTURES / "df").glob("*.jpg"))[0]
    page = open_page("?backend=wasm")
    page.page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
    page.page.check("[data-testid=heatmap-toggle]")  # on before the file: drawn with the analysis
    cards = analyse(page, [face])
    wait_maps(cards, 1)
    heat = page.page.locator("[data-testid=heatmap]").first
    assert heat.is_visible()
    page.page.fill("[data-testid=heatmap-opacity]", "25")
    assert heat.evaluate("(c) => getComputedStyle(c).opacity") == "0.25"
    page.page.uncheck("[data-testid=heatmap-toggle]")
    assert not heat.is_visible()
    marker = heat.evaluate("(c) => { c.dataset.marker = 'same'; return true; }")
    page.page.check("[data-testid=heatmap-toggle]")
    assert heat.is_visible() and marker
    assert page.page.locator("[data-testid=heatmap][data-marker=same]").count() == 1
