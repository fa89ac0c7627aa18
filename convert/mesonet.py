"""MesoNet architectures (Afchar et al., WIFS 2018) and loading a Keras .h5.

Built with tf_keras (the Keras 2 API), which is what the TF.js exporter reads.
Layers are named and created in the order of the reference implementation
(DariusAf/MesoNet, classifiers.py), so weights-only files can be matched to
layers by type and creation order whatever their numeric name suffixes.
"""
import os
import re

import h5py
import numpy as np

from convert.constants import ARCHITECTURES, INPUT_CHANNELS, INPUT_SIZE
from convert.errors import ConvertError
from convert.tfenv import keras

layers = keras.layers


class _Namer:
    """Names layers like Keras 2.1.5 did (conv2d_1, conv2d_2, ...)."""

    def __init__(self):
        self.counts = {}

    def __call__(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}_{self.counts[kind]}"


def _conv_block(x, filters, kernel, pool, name):
    x = layers.Conv2D(filters, kernel, padding="same", activation="relu", name=name("conv2d"))(x)
    x = layers.BatchNormalization(name=name("batch_normalization"))(x)
    return layers.MaxPooling2D(pool_size=pool, padding="same", name=name("max_pooling2d"))(x)


def _classifier(x, name):
    x = layers.Flatten(name=name("flatten"))(x)
    x = layers.Dropout(0.5, name=name("dropout"))(x)
    x = layers.Dense(16, name=name("dense"))(x)
    x = layers.LeakyReLU(alpha=0.1, name=name("leaky_re_lu"))(x)
    x = layers.Dropout(0.5, name=name("dropout"))(x)
    return layers.Dense(1, activation="sigmoid", name=name("dense"))(x)


def build_meso4():
    name = _Namer()
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS), name="input_1")
    x = _conv_block(inputs, 8, (3, 3), (2, 2), name)
    x = _conv_block(x, 8, (5, 5), (2, 2), name)
    x = _conv_block(x, 16, (5, 5), (2, 2), name)
    x = _conv_block(x, 16, (5, 5), (4, 4), name)
    return keras.Model(inputs, _classifier(x, name), name="meso4")


def _inception(x, a, b, c, d, name):
    def conv(t, filters, kernel, dilation=1):
        return layers.Conv2D(filters, kernel, padding="same", activation="relu",
                             dilation_rate=dilation, name=name("conv2d"))(t)

    x1 = conv(x, a, (1, 1))
    x2 = conv(conv(x, b, (1, 1)), b, (3, 3))
    x3 = conv(conv(x, c, (1, 1)), c, (3, 3), dilation=2)
    x4 = conv(conv(x, d, (1, 1)), d, (3, 3), dilation=3)
    return layers.Concatenate(axis=-1, name=name("concatenate"))([x1, x2, x3, x4])


def build_mesoinception4():
    name = _Namer()
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS), name="input_1")
    x = _inception(inputs, 1, 4, 4, 2, name)
    x = layers.BatchNormalization(name=name("batch_normalization"))(x)
    x = layers.MaxPooling2D(pool_size=(2, 2), padding="same", name=name("max_pooling2d"))(x)
    x = _inception(x, 2, 4, 4, 2, name)
    x = layers.BatchNormalization(name=name("batch_normalization"))(x)
    x = layers.MaxPooling2D(pool_size=(2, 2), padding="same", name=name("max_pooling2d"))(x)
    x = _conv_block(x, 16, (5, 5), (2, 2), name)
    x = _conv_block(x, 16, (5, 5), (4, 4), name)
    return keras.Model(inputs, _classifier(x, name), name="mesoinception4")


BUILDERS = {"meso4": build_meso4, "mesoinception4": build_mesoinception4}


def build(architecture):
    return BUILDERS[architecture]()


def _suffix(name):
    match = re.search(r"_(\d+)$", name)
    return int(match.group(1)) if match else 0


def _kind(name):
    return re.sub(r"_\d+$", "", name)


def _h5_weight_layers(group):
    """[(layer name, [arrays])] for layers that hold weights, in creation order per kind."""
    found = []
    for raw in group.attrs.get("layer_names", []):
        lname = raw.decode() if isinstance(raw, bytes) else str(raw)
        names = group[lname].attrs.get("weight_names", [])
        if len(names):
            arrays = [np.asarray(group[lname][w.decode() if isinstance(w, bytes) else w])
                      for w in names]
            found.append((lname, arrays))
    return found


def infer_architecture(h5file):
    """Meso-4 has 4 convolutions, MesoInception-4 has 16 (two inception blocks)."""
    group = h5file["model_weights"] if "model_weights" in h5file else h5file
    convs = [n for n, arrays in _h5_weight_layers(group) if arrays[0].ndim == 4]
    return {4: "meso4", 16: "mesoinception4"}.get(len(convs))


def _assign_weights(model, group, path):
    """Pair file layers with model layers by kind and creation order; check every shape."""
    by_kind = {}
    for lname, arrays in _h5_weight_layers(group):
        by_kind.setdefault(_kind(lname), []).append((_suffix(lname), lname, arrays))
    wanted = {}
    for layer in model.layers:
        if layer.weights:
            wanted.setdefault(_kind(layer.name), []).append(layer)
    if sorted(by_kind) != sorted(wanted):
        raise ConvertError(path, f"weights do not fit {model.name}: file has layer kinds "
                                 f"{sorted(by_kind)}, the architecture needs {sorted(wanted)}")
    for kind, model_layers in wanted.items():
        # model.layers is in topological order; our names carry the creation order
        model_layers.sort(key=lambda layer: _suffix(layer.name))
        file_layers = sorted(by_kind[kind], key=lambda item: item[0])
        if len(file_layers) != len(model_layers):
            raise ConvertError(path, f"weights do not fit {model.name}: {len(file_layers)} "
                                     f"{kind} layers in the file, {len(model_layers)} expected")
        for layer, (_, lname, arrays) in zip(model_layers, file_layers):
            expected = [tuple(w.shape) for w in layer.weights]
            got = [a.shape for a in arrays]
            if expected != got:
                raise ConvertError(path, f"weights do not fit {model.name}: layer {lname} has "
                                         f"shapes {got}, {layer.name} needs {expected}")
            layer.set_weights(arrays)


def load(path, architecture=None):
    """Load a MesoNet .h5 (weights only, or a full saved model). Returns (model, arch)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ConvertError(path, "file not found")
    if not os.path.isfile(path):
        raise ConvertError(path, "not a file")
    if not h5py.is_hdf5(path):
        raise ConvertError(path, "not an HDF5 file (expected a Keras .h5)")
    try:
        with h5py.File(path, "r") as h5file:
            has_config = "model_config" in h5file.attrs
            inferred = infer_architecture(h5file)
            if not has_config:
                architecture = architecture or inferred
                if architecture is None:
                    raise ConvertError(path, "weights-only file of unknown architecture; "
                                             f"pass --arch ({', '.join(ARCHITECTURES)})")
                model = build(architecture)
                _assign_weights(model, h5file, path)
                return model, architecture
    except OSError as exc:
        raise ConvertError(path, f"cannot read HDF5 ({exc})") from exc
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:  # Keras raises many types for a bad config
        raise ConvertError(path, f"cannot load the saved model ({exc.__class__.__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
    _check_io(model, path)
    return model, architecture or inferred or "custom"


def _check_io(model, path):
    in_shape = tuple(model.input_shape[1:])
    out_shape = tuple(model.output_shape[1:])
    if in_shape != (INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS) or out_shape != (1,):
        raise ConvertError(path, f"model maps {in_shape} to {out_shape}; MesoNet maps "
                                 f"({INPUT_SIZE}, {INPUT_SIZE}, {INPUT_CHANNELS}) to (1,)")
