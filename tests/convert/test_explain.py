"""Grad-CAM: the page's maps equal the Python reference, and both pass the
sanity checks of Adebayo et al. (NeurIPS 2018)."""
import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from conftest import DATASETS, FIXTURES
from convert import explain, mesonet, parity
from convert.export import export

# After the same normalisation (divide by the map's maximum). Measured: at most
# 4e-6 on cpu, wasm and webgl (SwiftShader); the bound leaves room for GPUs.
MAP_TOLERANCE = 1e-4
MIN_CORRELATION = 0.99
# Randomising a layer must leave maps no more alike than this (rank correlation).
MAX_RANDOMISED_SIMILARITY = 0.5


def faces(per_set=2):
    paths = sorted(FIXTURES.rglob("*.jpg"))
    for folder in ("mesonet_df_validation", "dfdc_faces224"):
        for label in ("real", "fake"):
            paths += sorted((DATASETS / folder / label).glob("*.jpg"))[-per_set:]
    return paths


@pytest.fixture(scope="module")
def inputs():
    x, _ = parity.parity_inputs(faces(), n_random=0)
    return x


def load(model_id):
    return mesonet.load_source(model_id).model


def browser_maps(model_dir, x, backends, target="fake"):
    def call(page, base, shape):
        return page.evaluate("([m, i, s, t]) => window.harness.gradCam(m, i, s, t)",
                             [f"{base}/__model__/", f"{base}/__inputs__/inputs.bin", shape, target])
    return parity.run_in_harness(model_dir, x, backends, call)


def similarity(a, b):
    """Mean Spearman rank correlation of paired maps; an all-zero map counts as 0."""
    return float(np.mean([np.nan_to_num(spearmanr(p.ravel(), q.ravel()).statistic)
                          for p, q in zip(a, b)]))


@pytest.mark.parametrize("model_id", ["meso4-df", "mesoinception4-df"])
def test_flipped_label_gives_the_complementary_map(model_id, inputs):
    """cam_fake = ReLU(S) and cam_real = ReLU(-S): disjoint, and not empty."""
    model = load(model_id)
    fake, real = explain.grad_cam(model, inputs, "fake"), explain.grad_cam(model, inputs, "real")
    assert fake.shape == real.shape == (len(inputs), 32, 32)
    assert np.max(fake * real) == 0
    assert (fake.reshape(len(inputs), -1).max(1) > 0).all()
    assert (real.reshape(len(inputs), -1).max(1) > 0).all()


@pytest.mark.parametrize("model_id", ["meso4-df", "mesoinception4-df"])
def test_maps_change_when_layers_are_randomised(model_id, inputs):
    """Cascading randomisation from the output down: every step changes the maps."""
    model = load(model_id)
    original = explain.normalise(explain.grad_cam(model, inputs))
    rng = np.random.default_rng(0)
    steps = 0
    for layer in reversed(model.layers):
        if not layer.weights:
            continue
        layer.set_weights([rng.normal(0, w.std() + 1e-3, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
        changed = explain.normalise(explain.grad_cam(model, inputs))
        assert similarity(original, changed) < MAX_RANDOMISED_SIMILARITY, layer.name
        steps += 1
        if steps == 4:  # the head and the explained block; lower layers only zero the map
            break


@pytest.mark.parametrize("backend", ["cpu", "wasm", "webgl"])
def test_browser_map_equals_python(backend, inputs, tmp_path):
    x = inputs if backend != "webgl" else inputs[:4]  # SwiftShader: ~2 s per map
    model = load("meso4-df")
    export("meso4-df", tmp_path / "m", check_parity=False, log=lambda _: None)
    result = browser_maps(tmp_path / "m", x, [backend])[backend]
    assert "error" not in result, result
    maps = np.asarray(result["values"], np.float32).reshape(result["shape"])
    reference = explain.grad_cam(model, x)
    assert maps.shape == reference.shape
    ours, theirs = explain.normalise(maps), explain.normalise(reference)
    for a, b in zip(ours, theirs):
        assert np.corrcoef(a.ravel(), b.ravel())[0, 1] >= MIN_CORRELATION
    assert np.abs(ours - theirs).max() <= MAP_TOLERANCE
    assert result["scoresBefore"] == result["scoresAfter"]  # a map never changes a score
    assert result["leaked"] == 0


def test_browser_maps_pass_the_sanity_checks(inputs, tmp_path):
    """In the page too: the flipped label gives the complement, and a model whose
    head and explained block are randomised gives different maps."""
    x = inputs[:6]
    export("mesoinception4-df", tmp_path / "m", check_parity=False, log=lambda _: None)
    fake = browser_maps(tmp_path / "m", x, ["wasm"], "fake")["wasm"]
    real = browser_maps(tmp_path / "m", x, ["wasm"], "real")["wasm"]
    fake_maps = np.asarray(fake["values"]).reshape(fake["shape"])
    real_maps = np.asarray(real["values"]).reshape(real["shape"])
    assert np.max(fake_maps * real_maps) == 0 and fake_maps.max() > 0 and real_maps.max() > 0

    model = load("mesoinception4-df")
    rng = np.random.default_rng(1)
    for layer in [layer for layer in model.layers if layer.weights][-4:]:
        layer.set_weights([rng.normal(0, w.std() + 1e-3, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
    model.save(tmp_path / "randomised.h5")
    export(tmp_path / "randomised.h5", tmp_path / "r", check_parity=False, log=lambda _: None)
    randomised = browser_maps(tmp_path / "r", x, ["wasm"], "fake")["wasm"]
    random_maps = np.asarray(randomised["values"]).reshape(randomised["shape"])
    assert similarity(explain.normalise(fake_maps), explain.normalise(random_maps)) \
        < MAX_RANDOMISED_SIMILARITY


def test_cli_writes_png_and_numbers(tmp_path):
    face = sorted((FIXTURES / "df").glob("*.jpg"))[0]
    assert explain.main([str(face), "--model", "meso4-df", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / f"{face.stem}.gradcam.json").read_text())
    assert data["shape"] == [32, 32] and data["target"] == "fake" and data["p_real"] < 0.1
    x, _ = parity.parity_inputs([face], n_random=0)
    expected = explain.normalise(explain.grad_cam(load("meso4-df"), x))[0]
    np.testing.assert_allclose(np.asarray(data["map"]), expected, atol=1e-6)
    from PIL import Image

    with Image.open(tmp_path / f"{face.stem}.gradcam.png") as png, Image.open(face) as src:
        assert png.size == src.size


def test_cli_bad_image_is_one_line_error(tmp_path, capsys):
    bogus = tmp_path / "x.jpg"
    bogus.write_text("nope")
    assert explain.main([str(bogus), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bogus) in err[0] and "cannot decode" in err[0]
