"""Reading what Keras saves, in every format Keras 3 and tf_keras (Keras 2)
write, without running either Keras: h5py for HDF5, zipfile for .keras,
TensorFlow's SavedModel loader for folders. Each is read into one
description, `Saved`: the network's Keras config when the file has it, and
the arrays of every layer that holds weights, in the saving model's layer
order.

| format | written by | architecture | weights |
|---|---|---|---|
| `.keras` | `model.save("m.keras")` | `config.json` | `model.weights.h5`: `layers/<class>[_k]/vars/<i>` |
| full `.h5` | `model.save("m.h5")` | `model_config` attribute | `model_weights/<layer>/<weight names>` |
| `.weights.h5` | `model.save_weights("m.weights.h5")` | - | `layers/<class>[_k]/vars/<i>` |
| weights-only `.h5` | Keras 2 `save_weights("m.h5")`, the published files | - | `<layer>/<weight names>`, in `layer_names` order |
| SavedModel folder | `model.export`, `tf.saved_model.save`, tf_keras `model.save(folder)` | - | variables, reached from the model in layer order |

Layer order: Keras lists a functional model's layers by depth from the output,
ties in the order the graph is walked, which depends on the graph only, not on
the order the code created the layers. `.keras` and `.weights.h5` name each
layer's weights after its class and its rank among that class in this order
(`conv2d`, `conv2d_1`, ...), whatever the layer's own name.
"""  # noqa: E501 (the table's rows)
import json
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from convert.errors import ConvertError
from convert.tfenv import keras, quiet_stderr, tf

KERAS_ARCHIVE_CONFIG = "config.json"
KERAS_ARCHIVE_WEIGHTS = "model.weights.h5"
KERAS_ARCHIVE_METADATA = "metadata.json"
SAVED_MODEL_FILE = "saved_model.pb"
TF_KERAS_METADATA = "keras_metadata.pb"  # a SavedModel tf_keras can load whole
# Children of a saved model that are not its layers' weights.
NOT_LAYER_WEIGHTS = ("optimizer", "keras_api", "signatures", "_all_variables", "_misc_assets",
                     "_default_save_signature")
# Within a layer, the order Keras lists its weights (by variable name).
WEIGHT_ORDER = ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance")


@dataclass
class Saved:
    """A saved network as read from disk.

    format: what was found, in words, for messages. keras: "2" or "3" (which
    Keras wrote it) or None. config: the Keras model config (either Keras's
    format) or None for weights alone. layers: [(name, [arrays])] for each
    layer holding weights, in the saving model's layer order; with a config the
    names are the config's layer names. run: for a SavedModel, a function
    inputs [N, H, W, 3] -> outputs [N], to check a rebuilt model against."""
    path: Path
    format: str
    keras: str | None = None
    config: dict | None = None
    layers: list = field(default_factory=list)
    run: object = None

    @property
    def by_name(self):
        return dict(self.layers)


def natural_key(name):
    """conv2d, conv2d_1, conv2d_2, ..., conv2d_10 (not conv2d_10 before conv2d_2)."""
    base, _, number = name.rpartition("_")
    return (base, int(number)) if number.isdigit() else (name, -1)


def snake_case(class_name):
    """Keras' name for a class in its weight files: Conv2D -> conv2d,
    BatchNormalization -> batch_normalization."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _float_arrays(arrays):
    return [a for a in arrays if np.issubdtype(a.dtype, np.floating)]


# ---------------------------------------------------------------- HDF5 layouts

def _named_weight_layers(group):
    """[(layer, [arrays])] of a Keras 2 / legacy .h5 group, in layer_names order."""
    found = []
    for raw in group.attrs.get("layer_names", []):
        name = _text(raw)
        weight_names = [_text(w) for w in group[name].attrs.get("weight_names", [])]
        if weight_names:
            found.append((name, [np.asarray(group[name][w]) for w in weight_names]))
    return found


def _vars_layers(store):
    """{group name: [arrays]} of the Keras 3 weights layout (layers/<name>/vars/<i>);
    tf_keras and early Keras 3 name the container _layer_checkpoint_dependencies."""
    container = next((store[k] for k in ("layers", "_layer_checkpoint_dependencies") if k in store),
                     None)
    if container is None:
        return None
    found = {}
    for name, group in container.items():
        variables = group.get("vars") if isinstance(group, h5py.Group) else None
        if variables is not None and len(variables):
            arrays = _float_arrays([np.asarray(variables[k])
                                    for k in sorted(variables, key=int)])
            if arrays:
                found[name] = arrays
    return found


def _by_class_rank(config_layers, stored):
    """.keras: the k-th layer of a class in the config holds the weights stored
    as <class>_k; returns [(config layer name, arrays)]."""
    rank = {}
    layers = []
    for entry in config_layers:
        base = snake_case(entry["class_name"])
        k = rank.get(base, 0)
        rank[base] = k + 1
        key = base if k == 0 else f"{base}_{k}"
        if key in stored:
            layers.append((entry.get("name") or entry["config"]["name"], stored[key]))
    return layers


def _config_layers(config):
    inner = config.get("config", {}) if isinstance(config, dict) else {}
    layers = inner.get("layers") if isinstance(inner, dict) else None
    return layers if isinstance(layers, list) else []


def _read_hdf5(path):
    with h5py.File(path, "r") as h5:
        version = _text(h5.attrs.get("keras_version", "")) or None
        major = version.split(".")[0] if version else None
        if "model_config" in h5.attrs:
            config = json.loads(_text(h5.attrs["model_config"]))
            weights = h5["model_weights"] if "model_weights" in h5 else h5
            label = f"a full Keras {major} .h5 (Keras {version})" if version else "a full Keras .h5"
            return Saved(path, label, major, config, _named_weight_layers(weights))
        if "layer_names" in h5.attrs:
            label = f"a weights-only .h5 (Keras {version})" if version else "a weights-only .h5"
            return Saved(path, label, major, None, _named_weight_layers(h5))
        stored = _vars_layers(h5)
        if stored is not None:
            ordered = sorted(stored.items(), key=lambda item: natural_key(item[0]))
            return Saved(path, "a Keras weights file (.weights.h5)", "3", None, ordered)
        top = ", ".join(sorted(h5.keys())[:5]) or "nothing"
    raise ConvertError(path, f"an HDF5 file that holds no Keras model or weights (it holds "
                             f"{top}): pass the file model.save() or model.save_weights() wrote")


# ---------------------------------------------------------------- .keras archives

def _read_keras_archive(path):
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if KERAS_ARCHIVE_CONFIG not in names:
            raise ConvertError(path, "a zip archive, but not a Keras .keras file (no "
                                     f"{KERAS_ARCHIVE_CONFIG}): pass the file model.save('m.keras') wrote")
        config = json.loads(archive.read(KERAS_ARCHIVE_CONFIG))
        version = None
        if KERAS_ARCHIVE_METADATA in names:
            version = json.loads(archive.read(KERAS_ARCHIVE_METADATA)).get("keras_version")
        if KERAS_ARCHIVE_WEIGHTS not in names:
            found = ", ".join(sorted(n for n in names if "weights" in n)) or "none"
            raise ConvertError(path, f"a .keras archive without {KERAS_ARCHIVE_WEIGHTS} (weights "
                                     f"found: {found}): save it again with model.save('m.keras') "
                                     "and no sharding")
        with archive.open(KERAS_ARCHIVE_WEIGHTS) as handle, h5py.File(handle, "r") as h5:
            stored = _vars_layers(h5) or {}
    major = version.split(".")[0] if version else None
    label = f"a .keras archive (Keras {version})" if version else "a .keras archive"
    return Saved(path, label, major, config, _by_class_rank(_config_layers(config), stored))


# ---------------------------------------------------------------- SavedModel folders

def _saved_variables(root):
    """[(variable name, array)] reached from the saved object, depth first in the
    order the SavedModel lists children (the model's layer order), skipping the
    optimizer and other copies."""
    found, seen = [], set()

    def walk(obj, depth):
        if depth > 8 or id(obj) in seen:
            return
        seen.add(id(obj))
        try:
            children = obj._trackable_children()  # noqa: SLF001 (no public API lists them in order)
        except Exception:  # noqa: BLE001 (a restored function or asset: no children)
            return
        for name, child in children.items():
            if name in NOT_LAYER_WEIGHTS:
                continue
            if isinstance(child, tf.Variable):
                if id(child) not in seen and child.dtype.is_floating and child.shape.rank:
                    seen.add(id(child))
                    found.append((child.name, child.numpy()))
            else:
                walk(child, depth + 1)

    walk(root, 0)
    return found


def _group_variables(variables):
    """[(layer, [arrays])]: variables named <layer>/<weight>:0 grouped by layer,
    layers in first-seen order, weights in Keras' order."""
    layers = {}
    for name, array in variables:
        layer, _, weight = name.rsplit(":", 1)[0].rpartition("/")
        layers.setdefault(layer or weight, []).append((weight, array))
    rank = {w: i for i, w in enumerate(WEIGHT_ORDER)}
    return [(layer, [a for _, a in sorted(ws, key=lambda item: rank.get(item[0].lstrip("_"), 99))])
            for layer, ws in layers.items()]


def _serving_function(loaded, path):
    """inputs [N, H, W, 3] float32 -> [N] from the SavedModel's one signature."""
    signatures = getattr(loaded, "signatures", {})
    fn = signatures.get("serving_default") or next(iter(signatures.values()), None)
    if fn is None:
        raise ConvertError(path, "a SavedModel without a serving signature: save it with "
                                 "model.export() or model.save('m.keras')")
    specs = fn.structured_input_signature[1]
    if len(specs) != 1 or len(fn.structured_outputs) != 1:
        raise ConvertError(path, f"a SavedModel whose signature takes {len(specs)} inputs and "
                                 f"gives {len(fn.structured_outputs)} outputs; MesoNet takes one "
                                 "image batch and gives one score")
    (input_name,) = specs
    (output_name,) = fn.structured_outputs

    def run(inputs):
        return fn(**{input_name: tf.constant(inputs)})[output_name].numpy().reshape(-1)

    return run


def _read_saved_model(path):
    try:
        with quiet_stderr():
            loaded = tf.saved_model.load(str(path))
    except Exception as exc:  # noqa: BLE001 (TensorFlow raises many types here)
        raise ConvertError(path, f"a SavedModel folder TensorFlow cannot load "
                                 f"({exc.__class__.__name__}: {str(exc).splitlines()[0]})") from exc
    return Saved(path, "a SavedModel folder", None, None,
                 _group_variables(_saved_variables(loaded)), _serving_function(loaded, path))


def load_tf_keras(path):
    """A tf_keras model from a file tf_keras can load whole (a Keras 2 full .h5
    or a tf_keras SavedModel); ConvertError with Keras' reason otherwise."""
    try:
        with warnings.catch_warnings(), quiet_stderr():
            warnings.simplefilter("ignore")
            return keras.models.load_model(str(path), compile=False)
    except Exception as exc:  # noqa: BLE001 (Keras raises many types for a bad config)
        raise ConvertError(path, f"cannot load the saved model ({exc.__class__.__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc


def _from_tf_keras_model(path, label):
    model = load_tf_keras(path)
    layers = [(layer.name, [np.asarray(w) for w in layer.get_weights()])
              for layer in model.layers if layer.weights]
    return Saved(path, label, "2", json.loads(model.to_json()), layers)


# ---------------------------------------------------------------- what is it?

def _folder_problem(path):
    names = {p.name for p in path.iterdir()}
    if {"model.json", "metadata.json"} <= names:
        return ("a model already converted for the page (model.json, metadata.json): use it "
                "as it is (\"use my own model\", or copy the folder into site/model/)")
    if {KERAS_ARCHIVE_CONFIG, KERAS_ARCHIVE_WEIGHTS} <= names:
        return "an unzipped .keras archive: pass the .keras file itself"
    return (f"a folder, but not a SavedModel (no {SAVED_MODEL_FILE}): pass the model file "
            "(.keras, .h5) or the folder model.export() wrote")


def _file_problem(path):
    head = path.read_bytes()[:64]
    suffix = path.suffix.lower()
    if path.name.endswith(".index") or ".data-" in path.name:
        return ("a TensorFlow checkpoint (save_weights without .h5): save the model with "
                "model.save('m.keras') or model.save_weights('m.weights.h5')")
    if suffix in (".pt", ".pth", ".onnx", ".tflite") or head.startswith(b"TFL3"):
        return f"a {suffix or 'non-Keras'} model: the converter reads Keras models only"
    if path.name == "model.json":
        return "a TF.js model.json: the model is converted already; use its folder in the page"
    shown = head[:24].decode("utf-8", "replace").replace("\n", " ")
    return (f"not an HDF5 file, a .keras archive or a SavedModel folder (it starts with "
            f"{shown!r}): pass what Keras' model.save() or save_weights() wrote")


def read(path):
    """Saved for a file or folder Keras wrote; ConvertError naming what was
    found and what to pass instead when it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise ConvertError(path, "file not found")
    if path.is_dir():
        if (path / SAVED_MODEL_FILE).is_file() and (path / TF_KERAS_METADATA).is_file():
            return _from_tf_keras_model(path, "a tf_keras SavedModel folder")
        if (path / SAVED_MODEL_FILE).is_file():
            return _read_saved_model(path)
        raise ConvertError(path, _folder_problem(path))
    if not path.is_file():
        raise ConvertError(path, "not a file or folder")
    try:
        if h5py.is_hdf5(path):
            return _read_hdf5(path)
        if zipfile.is_zipfile(path):
            return _read_keras_archive(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ConvertError(path, f"cannot read it ({exc.__class__.__name__}: {exc})") from exc
    raise ConvertError(path, _file_problem(path))
