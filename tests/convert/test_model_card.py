"""The model card page is exactly what model_card.py renders from the committed
card.json (so every number on it was measured), and its images exist."""
import json
import re

import numpy as np

from convert import model_card


def test_committed_page_is_rendered_from_card_json():
    card = json.loads(model_card.CARD_JSON.read_text())
    assert model_card.DOCS_PAGE.read_text() == model_card.render(card), \
        "docs/model-card.md is stale: run python convert/model_card.py --render"


def test_every_image_on_the_page_exists():
    page = model_card.DOCS_PAGE.read_text()
    images = re.findall(r"!\[[^\]]*\]\((assets/[^)]+)\)", page)
    assert len(images) >= 8
    for image in images:
        assert (model_card.DOCS_PAGE.parent / image).is_file(), image


def test_degradations_keep_an_rgb_image():
    rgb = np.random.default_rng(0).integers(0, 256, (100, 80, 3), dtype=np.uint8)
    for key, _, fn in model_card.DEGRADATIONS:
        out = fn(rgb)
        assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3, key
        assert not np.array_equal(out, rgb), key
