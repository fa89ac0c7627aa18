"""Exports that must work: a tiny deterministic model (full save and weights
only), each published model, quantisation, the cache, and the site's index."""
import json
import os
import re

import numpy as np
import pytest

from conftest import DATASETS
from convert import mesonet, metadata, parity, scoring, weights
from convert.constants import (
    CACHE_DIR_ENV,
    DEFAULT_MODEL_ID,
    PARITY_BACKENDS,
    PARITY_TOLERANCE,
    PUBLISHED_MODELS,
    SITE_DIR,
    SITE_MODEL_DIR,
    WEIGHTS_DIR_ENV,
)
from convert.export import export
from convert.tfenv import keras


def deterministic_model(architecture, seed=7):
    """A MesoNet with seeded random weights and non-trivial batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    model = mesonet.build(architecture)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([gamma * rng.uniform(0.5, 1.5, gamma.shape), beta + rng.normal(0, .1, beta.shape),
                               rng.normal(0, .1, mean.shape), rng.uniform(.5, 2, var.shape)])
    return model


def assert_parity_passed(meta, backends):
    report = meta["parity"]["backends"]
    for backend in backends:
        row = report[backend]
        assert row["available"], f"{backend} did not start: {row.get('reason')}"
        assert row["max_abs_diff"] <= PARITY_TOLERANCE[meta["quantization"]][backend], row
        assert row["passed"] and row["tensors_leaked"] == 0


def assert_files_match_metadata(folder, meta):
    on_disk = sorted(p.name for p in folder.iterdir())
    assert on_disk == sorted(list(meta["files"]) + ["metadata.json"])
    for name, digest in meta["files"].items():
        assert weights.sha256_of(folder / name) == digest
    model_json = json.loads((folder / "model.json").read_text())
    assert model_json["format"] == "layers-model"


@pytest.mark.parametrize("architecture", ["meso4", "mesoinception4"])
def test_tiny_full_model(tmp_path, architecture):
    source = tmp_path / "retrained.h5"
    deterministic_model(architecture).save(source)
    out = tmp_path / "site-model" / "my-model"
    meta = export(source, out, parity_images=(), backends=("cpu", "wasm"),
                  log=lambda _: None)
    assert meta["id"] == "my-model" and meta["architecture"] == architecture
    assert meta["source"]["sha256"] == weights.sha256_of(source)
    assert meta["parity"]["images"] == 4 and meta["parity"]["random_inputs"] > 0
    assert [s["images"] for s in meta["parity"]["image_sources"]] == [4]
    assert_parity_passed(meta, ("cpu", "wasm"))
    assert_files_match_metadata(out, meta)
    assert metadata.read(out) == meta


def test_tiny_weights_only_model_infers_architecture(tmp_path):
    source = tmp_path / "weights_only.h5"
    model = deterministic_model("mesoinception4", seed=11)
    model.save_weights(source)
    meta = export(source, tmp_path / "m", name="My retrained net", parity_images=(),
                  backends=("cpu",), log=lambda _: None)
    assert meta["architecture"] == "mesoinception4" and meta["name"] == "My retrained net"
    assert_parity_passed(meta, ("cpu",))


@pytest.mark.parametrize("model_id", sorted(PUBLISHED_MODELS))
def test_published_model(tmp_path, model_id):
    entry = PUBLISHED_MODELS[model_id]
    out = tmp_path / model_id
    meta = export(model_id, out, log=lambda _: None)
    assert meta["id"] == model_id and meta["architecture"] == entry["architecture"]
    assert meta["source"] == {"file": entry["file"], "sha256": entry["sha256"],
                              "url": weights.weights_url(model_id)}
    assert meta["output"]["meaning"] == "p_real"
    assert meta["input"]["size"] == [256, 256] and meta["input"]["scale"] == 255
    assert meta["input"]["resize"] == {"method": "nearest", "half_pixel_centers": True}
    assert meta["thresholds"]["fake_below"] < meta["thresholds"]["real_above"]
    assert meta["versions"]["tensorflowjs"] == "4.22.0"
    # the repository's test images, plus a sample of the labelled crops where they are
    assert meta["parity"]["images"] >= (20 if DATASETS.is_dir() else 4)
    assert_parity_passed(meta, PARITY_BACKENDS)
    # the site's graph (convert/inference_graph.py): every block pooled before it
    # is normalised, each norm a 1x1 convolution; Grad-CAM reads the last 5x5 one
    assert len(meta["pooled_before_norm"]) == 4
    assert meta["norms_as_conv"] == meta["pooled_before_norm"]
    layers = {layer["name"]: layer for layer in
              json.loads((out / "model.json").read_text())["modelTopology"]["model_config"]["config"]["layers"]}
    for name in meta["pooled_before_norm"]:
        (source,) = [node[0] for node in layers[name]["inbound_nodes"][0]]
        assert source.startswith("max_pooling2d"), (name, source)
        assert layers[name]["class_name"] == "Conv2D" and layers[name]["config"]["kernel_size"] == [1, 1]
    assert not [layer for layer in layers.values() if layer["class_name"] == "BatchNormalization"]
    assert layers[meta["gradcam_layer"]]["config"]["kernel_size"] == [5, 5]
    # parity ran where the site computes: WASM with threads, in an isolated page
    assert meta["parity"]["backends"]["wasm"]["threads"] == min(os.cpu_count(), 4)
    assert_files_match_metadata(out, meta)


@pytest.mark.parametrize("quantize", ["float16", "uint8"])
def test_quantized_export(tmp_path, quantize):
    out = tmp_path / quantize
    meta = export("meso4-df", out, quantize=quantize, log=lambda _: None)
    assert meta["quantization"] == quantize
    assert_parity_passed(meta, ("cpu", "wasm"))
    manifest = json.loads((out / "model.json").read_text())["weightsManifest"][0]["weights"]
    assert all(w.get("quantization", {}).get("dtype") == quantize for w in manifest)
    full = 4 * mesonet.build("meso4").count_params()
    shard = sum((out / name).stat().st_size for name in meta["files"] if name.endswith(".bin"))
    assert shard < full * (0.6 if quantize == "float16" else 0.35)


def test_metadata_has_exactly_the_documented_keys(tmp_path):
    """metadata.json, the contract with the site, holds the keys metadata.KEYS
    documents, in that order, and no other: thresholds_calibration only when
    a calibrated band was given."""
    band = tmp_path / "thresholds.json"
    band.write_text(json.dumps({"fake_below": 0.2, "real_above": 0.7, "calibrated_on": "a test"}))
    plain = export("meso4-f2f", tmp_path / "plain", check_parity=False, log=lambda _: None)
    calibrated = export("meso4-f2f", tmp_path / "calibrated", check_parity=False, thresholds_file=band,
                        log=lambda _: None)
    assert list(calibrated) == list(metadata.KEYS)
    assert list(plain) == [key for key in metadata.KEYS if key not in metadata.OPTIONAL_KEYS]
    assert metadata.read(tmp_path / "plain") == plain and metadata.read(tmp_path / "calibrated") == calibrated
    assert calibrated["thresholds"] == {"fake_below": 0.2, "real_above": 0.7}
    assert calibrated["thresholds_calibration"] == {"calibrated_on": "a test"}
    assert plain["parity"] == {"skipped": True}


def test_download_into_cache(tmp_path, monkeypatch):
    """No mirror: the pinned address is fetched into the cache once, hash checked."""
    fetched = []
    local = weights.resolve("meso4-f2f").as_uri()  # the test's own copy, found before the mirror is unset
    monkeypatch.delenv(WEIGHTS_DIR_ENV, raising=False)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))

    def local_url(model_id):
        fetched.append(model_id)
        return local

    monkeypatch.setattr(weights, "weights_url", local_url)
    path = weights.resolve("meso4-f2f")
    assert path.parent == weights.cache_dir() and path.is_file()
    assert weights.sha256_of(path) == PUBLISHED_MODELS["meso4-f2f"]["sha256"]
    assert weights.resolve("meso4-f2f") == path and fetched == ["meso4-f2f"]


def test_download_with_wrong_hash_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(WEIGHTS_DIR_ENV, raising=False)
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    wrong = tmp_path / "wrong.h5"
    wrong.write_bytes(b"not the pinned file")
    monkeypatch.setattr(weights, "weights_url", lambda _: wrong.as_uri())
    with pytest.raises(weights.ConvertError, match="does not match the pinned"):
        weights.resolve("meso4-df")
    assert list(weights.cache_dir().iterdir()) == []


def test_index_lists_exported_models(tmp_path):
    root = tmp_path / "model"
    root.mkdir()
    (root / "index.json").write_text('{"models": [], "default": null}')
    export("meso4-f2f", root / "meso4-f2f", check_parity=False, log=lambda _: None)
    export("meso4-df", root / "meso4-df", check_parity=False, log=lambda _: None)
    index = json.loads((root / "index.json").read_text())
    assert [m["id"] for m in index["models"]] == ["meso4-df", "meso4-f2f"]
    assert index["default"] == "meso4-df"
    assert index["models"][1]["path"] == "meso4-f2f/"


def test_more_faces_than_one_call_takes(site_model):
    """100 faces in one call: split into calls of PREDICT_BATCH (WebGL cannot hold
    100 faces in one texture), with the same scores as Keras on every backend."""
    model = mesonet.load_source(DEFAULT_MODEL_ID).model
    inputs = np.random.default_rng(5).random((100, 256, 256, 3), dtype=np.float32)
    reference = scoring.keras_scores(model, inputs)
    for backend, result in parity.browser_scores(SITE_MODEL_DIR / DEFAULT_MODEL_ID, inputs, PARITY_BACKENDS).items():
        assert "error" not in result, (backend, result)
        assert result["leaked"] == 0
        assert np.abs(result["scores"] - reference).max() <= PARITY_TOLERANCE["none"][backend], backend


def test_model_metadata_typedef_names_every_key():
    """The site's ModelMetadata typedef (site/js/domain/config.js, checked by tsc) names
    exactly the keys convert/metadata.py builds, optional ones marked optional."""
    source = (SITE_DIR / "js" / "domain" / "config.js").read_text()
    block = re.search(r"@typedef \{object\} ModelMetadata\n(.*?)\*/", source, re.S)
    assert block, "no ModelMetadata typedef in site/js/domain/config.js"
    named, text = [], block.group(1)
    for start in (m.end() for m in re.finditer(r"@property \{", text)):
        depth, i = 1, start
        while depth:  # the type may hold braces and run over lines
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        named.append(re.match(r"\s*(\[?)(\w+)", text[i:]).groups())
    assert [key for _, key in named] == list(metadata.KEYS)
    assert {key for optional, key in named if optional} == set(metadata.OPTIONAL_KEYS)

