"""The graph the site runs: the Keras model rearranged for speed, with equal outputs.

MesoNet normalises every block before pooling it (conv -> ReLU -> batch norm
-> max pool). Batch norm at inference is y = a*x + b per channel; where every
a >= 0 that map never changes which value of a pooling window is largest, so
max_pool(a*x + b) == a*max_pool(x) + b, exactly, even in float32 (each
rounding step is monotone). Pooling first normalises 4 or 16 times fewer
values: the first block's batch norm was the slowest op of the model on WASM
(1.3 of 7 ms, more than its convolution).

A block with a negative scale (possible in a retrained model) keeps its order.
"""
import numpy as np

from convert.tfenv import keras

layers = keras.layers


def _never_flips(norm):
    """True when batch norm's per-channel multiplier at inference,
    gamma / sqrt(variance + epsilon), is >= 0 for every channel."""
    weights = norm.get_weights()  # [gamma if scale], [beta if center], mean, variance
    gamma = weights[0] if norm.scale else np.ones(1)
    return bool(np.all(weights[-1] + norm.epsilon > 0) and np.all(gamma >= 0))


def _consumers(layer):
    return [node.outbound_layer for node in layer._outbound_nodes]  # noqa: SLF001 (no public API)


def swappable_norms(model):
    """Names of the batch norms that feed only a max pool and never flip a sign."""
    names = []
    for layer in model.layers:
        if not isinstance(layer, layers.BatchNormalization):
            continue
        consumers = _consumers(layer)
        if len(consumers) == 1 and isinstance(consumers[0], layers.MaxPooling2D) and _never_flips(layer):
            names.append(layer.name)
    return names


def _clone(layer):
    return layer.__class__.from_config(layer.get_config())


def pool_before_norm(model):
    """(model, names): a copy of a functional model in which each swappable
    batch norm runs after its max pool, and the names of those norms.
    Layer names and weights are kept; each layer of model is called once."""
    swap = set(swappable_norms(model))
    if not swap:
        return model, []
    tensors = {}  # id of an original layer's output -> the copy's tensor
    deferred = {}  # id of a swapped norm's output -> that norm
    copies = []

    def source(tensor):
        return tensors[id(tensor)]

    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            tensors[id(layer.output)] = keras.Input(layer.input_shape[0][1:], name=layer.name)
            continue
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        if layer.name in swap:
            tensors[id(layer.output)] = source(inputs[0])
            deferred[id(layer.output)] = layer
            continue
        copy = _clone(layer)
        args = [source(t) for t in inputs]
        out = copy(args if isinstance(layer.input, list) else args[0])
        copies.append((copy, layer))
        norm = deferred.get(id(inputs[0])) if len(inputs) == 1 else None
        if norm is not None:
            norm_copy = _clone(norm)
            out = norm_copy(out)
            copies.append((norm_copy, norm))
        tensors[id(layer.output)] = out
    rebuilt = keras.Model(source(model.inputs[0]), source(model.outputs[0]), name=model.name)
    for copy, original in copies:
        copy.set_weights(original.get_weights())
    return rebuilt, sorted(swap)
