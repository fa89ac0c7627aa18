"""MesoNet architectures (Afchar et al., WIFS 2018), and loading a trained one
from whatever Keras saved.

Built with tf_keras (the Keras 2 API), which is what the TF.js exporter reads.
Layers are named and created in the order of the reference implementation
(DariusAf/MesoNet, classifiers.py). A saved network is read without Keras
(keras_files.py), recognised as one of these architectures from its layers
(structure.py), and its weights are set into the architecture built here:
what Keras 3 saves loads the same way as what tf_keras saves.

`load_source` is the one way the tools open a model: a published model's name
(its weights fetched and checked by weights.py) or a path, then `load`.
"""
import json
from typing import NamedTuple

import numpy as np

from convert import keras_files, structure, weights
from convert.constants import (
    ARCHITECTURES,
    CUSTOM_ARCHITECTURE,
    FORMAT_CHECK_TOLERANCE,
    INPUT_CHANNELS,
    INPUT_SIZE,
    PARITY_SYNTHETIC_INPUTS,
)
from convert.errors import ConvertError
from convert.parity import parity_inputs
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


def last_conv_index(model):
    """Index in model.layers of the last Conv2D (the layer Grad-CAM reads);
    in MesoNet everything after it is a chain."""
    convs = [i for i, layer in enumerate(model.layers) if isinstance(layer, layers.Conv2D)]
    if not convs:
        raise ValueError(f"{model.name} has no Conv2D layer to explain")
    return convs[-1]


_GRAPHS = {}


def _graphs():
    """{architecture: its layer graph (structure.graph)}, built once."""
    if not _GRAPHS:
        _GRAPHS.update({arch: structure.graph(json.loads(build(arch).to_json()))
                        for arch in BUILDERS})
    return _GRAPHS


def _fill(model, pairs, path):
    """Set each layer's weights from the file's arrays, every shape checked."""
    for arrays, layer in pairs:
        expected = [tuple(w.shape) for w in layer.weights]
        if [a.shape for a in arrays] != expected:
            raise ConvertError(path, f"weights do not fit {model.name}: layer {layer.name} needs "
                                     f"shapes {expected}, the file has {[a.shape for a in arrays]}")
        layer.set_weights(arrays)
    return model


def _from_config(saved, arch, found, architecture):
    """The architecture the file's layers were recognised as, with its weights."""
    if architecture and architecture != arch:
        raise ConvertError(saved.path, f"{saved.format} holding a {ARCHITECTURES[arch]} (read from "
                                       f"its layers), not {ARCHITECTURES[architecture]} as --arch "
                                       "says: drop --arch")
    model = build(arch)
    by_name = saved.by_name
    pairs = [(by_name.get(file_name, []), model.get_layer(name))
             for file_name, name in found.items() if model.get_layer(name).weights]
    return _fill(model, pairs, saved.path)


def _from_weights(saved, architecture):
    """A MesoNet built in code and filled with weights matched by shape."""
    candidates = [architecture] if architecture else list(BUILDERS)
    reasons = {}
    for arch in candidates:
        model = build(arch)
        pairs, why = structure.pair_by_shapes(saved.layers, model)
        if pairs is not None:
            _fill(model, pairs, saved.path)
            if saved.run is not None:
                _check_outputs(saved, model)
            return model, arch
        reasons[arch] = why
    if architecture:
        fits = [a for a in BUILDERS if a != architecture
                and structure.pair_by_shapes(saved.layers, build(a))[0] is not None]
        hint = f" (they fit {fits[0]}: drop --arch)" if fits else ""
        raise ConvertError(saved.path, f"weights do not fit {architecture}: "
                                       f"{reasons[architecture]}{hint}")
    close = [arch for arch in candidates if structure.near(saved.layers, build(arch))]
    if len(close) == 1:  # the right kinds of layers, some of another shape
        raise ConvertError(saved.path, f"weights do not fit {close[0]}: {reasons[close[0]]}")
    raise ConvertError(saved.path, f"{saved.format} whose weights fit neither "
                                   f"{' nor '.join(BUILDERS)} (--arch): it holds "
                                   f"{structure.count_kinds(saved.layers)}")


def _check_outputs(saved, model):
    """A SavedModel runs: its outputs must be those of the MesoNet rebuilt from its weights."""
    inputs, _ = parity_inputs([], n_random=2, synthetic=PARITY_SYNTHETIC_INPUTS)
    theirs = saved.run(inputs)
    mine = model(inputs, training=False).numpy().reshape(-1)
    worst = float(np.abs(theirs.astype(np.float64) - mine).max())
    if not worst <= FORMAT_CHECK_TOLERANCE:
        raise ConvertError(saved.path, f"{saved.format} whose outputs are not those of "
                                       f"{ARCHITECTURES[model.name]} with its weights (max |dP(real)| "
                                       f"{worst:.2e}): it is not a MesoNet the converter can rebuild")


def load(path, architecture=None, allow_other=False):
    """Load a MesoNet from anything Keras 3 or tf_keras saves (see
    keras_files.py). Returns (model, architecture): a tf_keras model built
    here with the file's weights. The architecture is read from the file (its
    layers, or the shapes of its weights) and checked against `architecture`
    (--arch) when given.

    allow_other: a network that is not MesoNet is loaded as it is, as
    architecture "custom" (tf_keras files only); otherwise it is an error."""
    saved = keras_files.read(path)
    if saved.config is None:
        return _from_weights(saved, architecture)
    arch, found = structure.identify(saved.config, _graphs())
    if arch is not None:
        return _from_config(saved, arch, found, architecture), arch
    loadable = saved.keras == "2"
    if not (allow_other and loadable):
        how = ("To export it anyway, pass --not-mesonet: the page then says that it is not MesoNet."
               if loadable else "The converter reads networks other than MesoNet only from "
                                "tf_keras (Keras 2) files.")
        raise ConvertError(saved.path, f"{saved.format} holding a network that is not MesoNet: "
                                       f"{found}. {how}")
    model = keras_files.load_tf_keras(saved.path)
    _check_io(model, saved.path)
    return model, CUSTOM_ARCHITECTURE


class Loaded(NamedTuple):
    """A model opened by load_source: the tf_keras model, its architecture,
    the file it came from, and what is known of a published one (else {})."""
    model: object
    architecture: str
    path: object
    facts: dict


def load_source(source, architecture=None, allow_other=False):
    """Open a published model name or a path to what Keras saved (weights.resolve_source),
    then load it; architecture defaults to the published model's. Raises ConvertError."""
    path, facts = weights.resolve_source(source)
    model, arch = load(path, architecture or facts.get("architecture"), allow_other=allow_other)
    return Loaded(model, arch, path, facts)


def _check_io(model, path):
    in_shape = tuple(model.input_shape[1:])
    out_shape = tuple(model.output_shape[1:])
    if in_shape != (INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS) or out_shape != (1,):
        raise ConvertError(path, f"model maps {in_shape} to {out_shape}; MesoNet maps "
                                 f"({INPUT_SIZE}, {INPUT_SIZE}, {INPUT_CHANNELS}) to (1,)")
