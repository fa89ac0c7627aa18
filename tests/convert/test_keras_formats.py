"""Every format Keras 3 and tf_keras write for a MesoNet converts: small
MesoNets are built as a user's script builds them, trained one step and saved
in each format by tests/keras_models.py (one Keras per process); each file
loads into the architecture with the scores Keras gives, and exports with
parity. What cannot be converted is refused with a message that names it."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import keras_models
from conftest import ROOT
from convert import mesonet, parity, scoring
from convert.constants import PARITY_TOLERANCE, TEST_IMAGES_DIR
from convert.errors import ConvertError
from convert.export import export
from convert.preprocess import load_inputs
from convert.tfenv import keras

# The scores of a converted model on the held-out crops, against Keras's.
SCORE_TOLERANCE = 1e-5
FLAVOURS = tuple(keras_models.FORMATS)
MESONETS = [name for name, (_, style, _) in keras_models.MODELS.items()
            if style in ("functional", "named", "sequential")]


@pytest.fixture(scope="module")
def crops():
    """The repository's four MesoNet test images, as model inputs."""
    paths = parity.list_images([TEST_IMAGES_DIR])
    return load_inputs(paths)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, crops):
    """{flavour: folder of models saved by that Keras}, made in two processes at once."""
    root = tmp_path_factory.mktemp("keras-models")
    np.save(root / "inputs.npy", crops)
    runs = {flavour: subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "keras_models.py"), flavour, str(root / flavour),
         str(root / "inputs.npy")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for flavour in FLAVOURS}
    for flavour, run in runs.items():
        output, _ = run.communicate(timeout=900)
        assert run.returncode == 0, f"{flavour}:\n{output[-3000:]}"
    return {flavour: root / flavour for flavour in FLAVOURS}


def scores(model, inputs):
    return scoring.keras_scores(model, inputs).astype(np.float64)


@pytest.mark.parametrize("model_name", MESONETS)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_format_loads_with_the_scores_keras_gives(saved, crops, flavour, model_name):
    architecture = keras_models.MODELS[model_name][0]
    folder = saved[flavour] / model_name
    reference = np.load(folder / "scores.npy")
    for fmt in keras_models.FORMATS[flavour]:
        model, arch = mesonet.load(folder / fmt)
        assert arch == architecture, fmt
        worst = np.abs(scores(model, crops) - reference).max()
        assert worst <= SCORE_TOLERANCE, f"{flavour} {model_name} {fmt}: max |dP(real)| {worst:.2e}"


def test_a_misplaced_layer_would_be_seen(saved, crops):
    """The comparison above can tell layers of equal shapes apart: swapping
    MesoInception's two 3x3 convolutions of 4 filters changes the scores by
    far more than the tolerance."""
    model, _ = mesonet.load(saved["keras3"] / "mesoinception4" / "model.keras")
    reference = scores(model, crops)
    twins = [layer for layer in model.layers if layer.weights
             and [tuple(w.shape) for w in layer.weights] == [(3, 3, 4, 4), (4,)]][:2]
    first, second = (layer.get_weights() for layer in twins)
    twins[0].set_weights(second)
    twins[1].set_weights(first)
    assert np.abs(scores(model, crops) - reference).max() > 100 * SCORE_TOLERANCE


def export_with_parity(source, out, **options):
    meta = export(source, out, parity_images=(), backends=("cpu", "wasm"), log=lambda _: None,
                  **options)
    for backend in ("cpu", "wasm"):
        row = meta["parity"]["backends"][backend]
        assert row["available"] and row["passed"], (backend, row)
        assert row["max_abs_diff"] <= PARITY_TOLERANCE["none"][backend]
    return meta


PARITY_CASES = [(flavour, "meso4", fmt) for flavour in FLAVOURS
                for fmt in keras_models.FORMATS[flavour]] + [("keras3", "mesoinception4", "model.keras")]
# where the page's own scores are compared with Keras's too
PAGE_SCORED = {("keras3", "meso4", "model.keras"), ("tf_keras", "meso4", "savedmodel")}


@pytest.mark.parametrize("flavour,model_name,fmt", PARITY_CASES)
def test_each_format_exports_with_parity(saved, crops, tmp_path, flavour, model_name, fmt):
    source = saved[flavour] / model_name / fmt
    meta = export_with_parity(source, tmp_path / "model", name=f"{flavour} {fmt}")
    assert meta["architecture"] == keras_models.MODELS[model_name][0] and meta["mesonet"]
    assert meta["source"]["file"] == fmt
    if (flavour, model_name, fmt) in PAGE_SCORED:
        reference = np.load(saved[flavour] / model_name / "scores.npy")
        page = parity.browser_scores(tmp_path / "model", crops, ("wasm",))["wasm"]["scores"]
        assert np.abs(page - reference).max() <= SCORE_TOLERANCE


# ---------------------------------------------------------------- what is refused, and why

def test_arch_is_checked_against_the_file(saved):
    for flavour in FLAVOURS:
        with pytest.raises(ConvertError, match="holding a Meso-4 .*not MesoInception-4 as --arch says"):
            mesonet.load(saved[flavour] / "meso4" / "model.keras", "mesoinception4")
    with pytest.raises(ConvertError, match="weights do not fit mesoinception4.*they fit meso4"):
        mesonet.load(saved["keras3"] / "meso4" / "model.weights.h5", "mesoinception4")


def test_a_network_that_is_not_mesonet_is_named_and_refused(saved):
    slope = "not MesoNet: layer .* \\(LeakyReLU\\) has negative_slope 0.3, Meso-4 has 0.1"
    with pytest.raises(ConvertError, match=slope + ".*only from tf_keras"):
        mesonet.load(saved["keras3"] / "meso4-slope" / "model.keras")
    with pytest.raises(ConvertError, match=slope + ".*--not-mesonet"):
        mesonet.load(saved["tf_keras"] / "meso4-slope" / "model.h5")
    for flavour in FLAVOURS:
        with pytest.raises(ConvertError, match="preprocessing \\(Rescaling\\).*divides by 255"):
            mesonet.load(saved[flavour] / "meso4-rescaling" / "model.keras")


def test_a_tf_keras_network_that_is_not_mesonet_exports_only_when_asked(saved, tmp_path):
    source = saved["tf_keras"] / "meso4-slope" / "model.h5"
    with pytest.raises(ConvertError, match="--not-mesonet"):
        export(source, tmp_path / "refused", check_parity=False, log=lambda _: None)
    assert not (tmp_path / "refused").exists()
    meta = export_with_parity(source, tmp_path / "custom", not_mesonet=True)
    assert meta["architecture"] == "custom" and meta["mesonet"] is False
    assert meta["architecture_name"] == "not MesoNet"
    with pytest.raises(ConvertError, match="is a Meso-4, a MesoNet: drop --not-mesonet"):
        export(saved["tf_keras"] / "meso4" / "model.h5", tmp_path / "m", not_mesonet=True,
               check_parity=False, log=lambda _: None)


def test_unreadable_sources_name_what_they_are(tmp_path, site_model):
    from convert.constants import SITE_MODEL_DIR

    cases = {}
    cases[SITE_MODEL_DIR / "meso4-df"] = "already converted for the page"
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    cases[plain] = "not a Keras .keras file"
    no_weights = tmp_path / "sharded.keras"
    with zipfile.ZipFile(no_weights, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Functional", "config": {}}))
        archive.writestr("model.weights.json", "{}")
    cases[no_weights] = "without model.weights.h5"
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("")
    cases[folder] = "not a SavedModel"
    checkpoint = tmp_path / "ckpt.index"
    checkpoint.write_bytes(b"\0" * 16)
    cases[checkpoint] = "TensorFlow checkpoint"
    for path, words in cases.items():
        with pytest.raises(ConvertError, match=words):
            mesonet.load(path)


def test_a_saved_model_of_another_network_is_refused(tmp_path):
    import tensorflow as tf

    inputs = keras.Input((256, 256, 3))
    x = keras.layers.Conv2D(4, 3, strides=8, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    tf.saved_model.save(keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x)),
                        str(tmp_path / "other"))
    with pytest.raises(ConvertError, match="a SavedModel folder whose weights fit neither"):
        mesonet.load(tmp_path / "other")


# ---------------------------------------------------------------- the guide's example

GUIDE = ROOT / "docs" / "converter.md"


def guide_script():
    """The Keras 3 training script in docs/converter.md (the block after 'train_meso4.py')."""
    text = GUIDE.read_text()
    start = text.index("```python\n# train_meso4.py")
    return text[start + len("```python\n"):text.index("```", start + 10)]


def test_the_guides_keras3_script_trains_a_model_that_exports(tmp_path):
    """The guide's example, as a user runs it: Keras 3, the published weights,
    class folders fake/ and real/, model.save('my_meso4.keras'); then the export."""
    import shutil

    from convert.weights import resolve

    for split in ("train", "validation"):
        for label, folder in (("fake", "df"), ("real", "real")):
            shutil.copytree(TEST_IMAGES_DIR / folder, tmp_path / "faces" / split / label)
    shutil.copy(resolve("meso4-df"), tmp_path / "Meso4_DF.h5")
    paths = parity.list_images([TEST_IMAGES_DIR])
    np.save(tmp_path / "inputs.npy", load_inputs(paths))
    script = guide_script().replace("epochs=10", "epochs=1")
    script += "\nimport numpy as np\nnp.save('scores.npy', model.predict(np.load('inputs.npy'), verbose=0))\n"
    (tmp_path / "train_meso4.py").write_text(script)
    run = subprocess.run([sys.executable, "train_meso4.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    model, arch = mesonet.load(tmp_path / "my_meso4.keras")
    assert arch == "meso4"
    reference = np.load(tmp_path / "scores.npy").reshape(-1)
    assert np.abs(scores(model, np.load(tmp_path / "inputs.npy")) - reference).max() <= SCORE_TOLERANCE
    meta = export_with_parity(tmp_path / "my_meso4.keras", tmp_path / "site" / "my-meso4",
                              name="My Meso-4")
    assert meta["name"] == "My Meso-4" and Path(meta["source"]["file"]).suffix == ".keras"
