"""Is a saved network MesoNet, and which of its layers is which?

With the network's Keras config (a .keras, a full .h5; Keras 2 or 3 format),
its layer graph is compared with each architecture's, node by node: layer
kind, every setting that changes the output (filters, kernel, dilation,
activation, pool size, epsilon, LeakyReLU slope, ...) and how layers connect.
Names never matter. Layers that do nothing at inference (dropout, random
augmentation) are left out on both sides.

With weights alone (a .weights.h5, a weights-only .h5, a SavedModel's
variables) only their shapes are known: layers are paired by shape, in the
saving model's layer order, which for two layers of equal shapes is the same
in every Keras (see keras_files.py).
"""
from dataclasses import dataclass

from convert.constants import ARCHITECTURES

# Identity at inference: left out of both graphs before they are compared.
INFERENCE_IDENTITY = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "RandomFlip", "RandomRotation", "RandomZoom",
    "RandomTranslation", "RandomContrast", "RandomBrightness"})
# Preprocessing the page does itself, outside the model.
PREPROCESSING = frozenset({"Rescaling", "Resizing", "Normalization", "CenterCrop"})
WEIGHTED = ("Conv2D", "BatchNormalization", "Dense")
KIND_WORDS = {"Conv2D": "convolutions", "BatchNormalization": "batch norms", "Dense": "dense layers"}


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    settings: tuple  # ((setting, value), ...): what changes the output
    inputs: tuple  # positions, in the canonical order, of the nodes it reads


class NotSupported(ValueError):
    """A config this module cannot read as one plain graph of layers."""


# ---------------------------------------------------------------- settings

def _dtype(value):
    if isinstance(value, dict):  # Keras 3 DTypePolicy, tf_keras Policy
        return _dtype(value.get("config", {}).get("name"))
    return value or "float32"


def _axis(value):
    value = value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value
    return -1 if value == 3 else value


def _listed(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def settings(kind, config):
    """The settings of a layer that change its output, normalised across Keras 2 and 3."""
    c = config
    common = {"dtype": _dtype(c.get("dtype"))}
    if kind == "InputLayer":
        shape = c.get("batch_shape") or c.get("batch_input_shape") or [None]
        return {"shape": _listed(shape[1:]), **common}
    if kind == "Conv2D":
        return {**{k: _listed(c.get(k)) for k in ("filters", "kernel_size", "strides", "padding",
                                                  "dilation_rate", "activation", "use_bias")},
                "groups": c.get("groups", 1), "data_format": c.get("data_format") or "channels_last",
                **common}
    if kind == "BatchNormalization":
        return {"axis": _axis(c.get("axis", -1)), "epsilon": round(float(c.get("epsilon", 1e-3)), 9),
                "center": c.get("center", True), "scale": c.get("scale", True), **common}
    if kind == "MaxPooling2D":
        return {"pool_size": _listed(c.get("pool_size")),
                "strides": _listed(c.get("strides") or c.get("pool_size")),
                "padding": c.get("padding"), "data_format": c.get("data_format") or "channels_last"}
    if kind == "Dense":
        return {"units": c.get("units"), "activation": c.get("activation"),
                "use_bias": c.get("use_bias"), **common}
    if kind == "LeakyReLU":
        slope = c.get("negative_slope", c.get("alpha", 0.3))
        return {"negative_slope": round(float(slope), 6)}
    if kind == "Concatenate":
        return {"axis": _axis(c.get("axis", -1))}
    if kind == "Flatten":
        return {"data_format": c.get("data_format") or "channels_last"}
    return {"config": {k: v for k, v in c.items() if k not in ("name", "trainable", "dtype")}}


# ---------------------------------------------------------------- the graph

def _tensor_sources(value):
    """Layer names a Keras 3 call argument reads (keras_history), in order."""
    if isinstance(value, dict):
        history = value.get("config", {}).get("keras_history") \
            if value.get("class_name") == "__keras_tensor__" else None
        if history:
            return [history[0]]
        return [n for v in value.values() for n in _tensor_sources(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _tensor_sources(v)]
    return []


def _node_inputs(name, inbound):
    if not inbound:
        return []
    if len(inbound) > 1:
        raise NotSupported(f"layer {name} is called more than once")
    node = inbound[0]
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        return _tensor_sources(node.get("args", [])) + _tensor_sources(node.get("kwargs", {}))
    return [entry[0] for entry in node]  # Keras 2: [[name, node, tensor, kwargs], ...]


def _single(value, what):
    """output_layers / input_layers: [name, 0, 0] or [[name, 0, 0]] -> name."""
    if value and isinstance(value[0], str):
        return value[0]
    if not value or len(value) != 1:
        raise NotSupported(f"the model has {len(value or [])} {what}; MesoNet has one")
    return value[0][0]


def _rows(config):
    """(rows [(name, kind, config, [input names])], output name) of a model config."""
    kind = config.get("class_name")
    inner = config.get("config") or {}
    entries = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(entries, list):
        raise NotSupported(f"a {kind} config without a list of layers")
    rows = []
    if kind == "Sequential":
        previous = None
        for entry in entries:
            c = entry.get("config", {})
            name = c.get("name") or entry.get("name")
            if previous is None and entry["class_name"] != "InputLayer":
                shape = c.get("batch_input_shape") or c.get("batch_shape") \
                    or inner.get("build_input_shape")
                if shape is None:
                    raise NotSupported("a Sequential model whose input shape is not saved")
                rows.append(("input", "InputLayer", {"batch_shape": shape}, []))
                previous = "input"
            rows.append((name, entry["class_name"], c, [previous] if previous else []))
            previous = name
        return rows, previous
    if kind not in ("Functional", "Model"):
        raise NotSupported(f"a {kind} model, not a functional or Sequential one")
    for entry in entries:
        name = entry.get("name") or entry["config"]["name"]
        rows.append((name, entry["class_name"], entry.get("config", {}),
                     _node_inputs(name, entry.get("inbound_nodes", []))))
    _single(inner.get("input_layers"), "inputs")
    return rows, _single(inner.get("output_layers"), "outputs")


def graph(config):
    """[Node] of a Keras model config in canonical order: depth first from the
    output, each layer's inputs in the order it takes them (a Concatenate's
    branches in order). Raises NotSupported."""
    rows, output = _rows(config)
    by_name = {name: (kind, c, inputs) for name, kind, c, inputs in rows}
    if output not in by_name:
        raise NotSupported(f"the output layer {output} is not among the layers")

    def source(name):  # through the layers that do nothing at inference
        while by_name[name][0] in INFERENCE_IDENTITY and len(by_name[name][2]) == 1:
            name = by_name[name][2][0]
        return name

    order, position = [], {}

    def visit(name):
        name = source(name)
        if name in position:
            return position[name]
        kind, c, inputs = by_name[name]
        reads = tuple(visit(n) for n in inputs)
        position[name] = len(order)
        order.append(Node(name, kind, tuple(sorted(settings(kind, c).items(), key=str)), reads))
        return position[name]

    visit(output)
    return order


# ---------------------------------------------------------------- comparing

def _difference(found, wanted, label):
    """The first way the found graph differs from the architecture's, in words, or None."""
    for node, want in zip(found, wanted):
        if node.kind != want.kind:
            return (f"layer {node.name} is a {node.kind} where {label} has a {want.kind}")
        mine, theirs = dict(node.settings), dict(want.settings)
        for key in theirs:
            if mine.get(key) != theirs[key]:
                return f"layer {node.name} ({node.kind}) has {key} {mine.get(key)}, {label} has {theirs[key]}"
        if node.inputs != want.inputs:
            return f"layer {node.name} ({node.kind}) is connected differently from {label}"
    if len(found) != len(wanted):
        return f"it has {len(found)} layers that compute, {label} has {len(wanted)}"
    return None


def _agreeing(found, wanted):
    count = 0
    for node, want in zip(found, wanted):
        if (node.kind, node.settings, node.inputs) != (want.kind, want.settings, want.inputs):
            break
        count += 1
    return count


def identify(config, candidates):
    """(architecture, {file layer name: architecture layer name}) for the
    candidate whose graph the config's equals, or (None, why not) naming the
    first difference from the closest candidate.
    candidates: {architecture: graph of its tf_keras build}."""
    try:
        found = graph(config)
    except (NotSupported, KeyError, TypeError, IndexError) as exc:
        return None, f"its layers cannot be read as one graph ({exc})"
    extra = sorted({n.kind for n in found} & PREPROCESSING)
    if extra:
        return None, (f"it includes preprocessing ({', '.join(extra)}): the page itself resizes "
                      "to 256x256 (nearest) and divides by 255, so save the model without it")
    for arch, wanted in candidates.items():
        if _difference(found, wanted, ARCHITECTURES[arch]) is None:
            return arch, {n.name: w.name for n, w in zip(found, wanted)}
    arch, wanted = max(candidates.items(), key=lambda item: _agreeing(found, item[1]))
    return None, _difference(found, wanted, ARCHITECTURES[arch])


# ---------------------------------------------------------------- weights alone

def _kind_of(arrays):
    ndim = arrays[0].ndim if arrays else 0
    return {4: "Conv2D", 2: "Dense", 1: "BatchNormalization"}.get(ndim, "other")


def _shapes(arrays):
    return [tuple(a.shape) for a in arrays]


def count_kinds(layers):
    """'4 convolutions, 4 batch norms and 2 dense layers' of [(name, arrays)]."""
    counts = {kind: 0 for kind in WEIGHTED}
    for _, arrays in layers:
        kind = _kind_of(arrays)
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{n} {KIND_WORDS.get(k, 'other layers')}" for k, n in counts.items()]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _file_kinds(layers):
    kinds = {}
    for name, arrays in layers:
        kinds.setdefault(_kind_of(arrays), []).append((name, arrays))
    return kinds


def _model_kinds(model):
    kinds = {}
    for layer in model.layers:
        if layer.weights:
            kinds.setdefault(layer.__class__.__name__, []).append(layer)
    return kinds


def near(layers, model):
    """True when the file has as many layers of each kind as the model."""
    counts = {kind: len(found) for kind, found in _file_kinds(layers).items()}
    return counts == {kind: len(found) for kind, found in _model_kinds(model).items()}


def pair_by_shapes(layers, model):
    """([(file arrays, model layer)], None) pairing weights with the model's
    layers by kind and shapes, in order; or (None, why not): the counts of
    each kind when they differ (see near), else the first layer whose shapes
    do not fit."""
    mine, theirs = _file_kinds(layers), _model_kinds(model)
    if not near(layers, model):
        model_layers = [(layer.name, layer.get_weights()) for found in theirs.values() for layer in found]
        return None, f"the file has {count_kinds(layers)}; {model.name} has {count_kinds(model_layers)}"
    pairs = []
    for kind, model_layers in theirs.items():
        pool = list(mine[kind])
        for position, layer in enumerate(model_layers):
            need = [tuple(w.shape) for w in layer.weights]
            match = next((i for i, (_, arrays) in enumerate(pool) if _shapes(arrays) == need), None)
            if match is None:
                name, arrays = mine[kind][position]
                return None, f"layer {name} has shapes {_shapes(arrays)}, {layer.name} needs {need}"
            pairs.append((pool.pop(match)[1], layer))
    return pairs, None
