"""The graph the site runs: the Keras model rearranged for speed, with equal outputs.

Two rewrites, each exact up to float32 rounding, measured on WASM (docs/performance.md):

1. Pool before normalising. MesoNet normalises every block before pooling it
   (conv -> ReLU -> batch norm -> max pool). Batch norm at inference is
   y = a*x + b per channel; where every a >= 0 that map never changes which
   value of a pooling window is largest, so max_pool(a*x + b) ==
   a*max_pool(x) + b, exactly, even in float32 (each rounding step is
   monotone). Pooling first normalises 4 or 16 times fewer values. A block
   with a negative scale (possible in a retrained model) keeps its order.
2. Normalise with a 1x1 convolution. That same y = a*x + b is a 1x1
   convolution whose kernel is diag(a) and whose bias is b (the zeros off the
   diagonal add exactly 0). TF.js's WASM backend runs it as one fused XNNPACK
   op (SIMD, threaded). Its batch-norm kernel is a scalar loop on one thread,
   the slowest op after the convolutions; a depthwise convolution would do
   the same work but adds its bias in a separate op that is as slow.

Grad-CAM must still read the trained model's last convolution, not one of
these 1x1 convolutions: serving_graph names it for metadata.json.
"""
from typing import NamedTuple

import numpy as np

from convert.mesonet import last_conv_index
from convert.tfenv import keras

layers = keras.layers


def affine(norm):
    """(a, b) per channel: batch norm at inference is y = a*x + b."""
    weights = norm.get_weights()  # [gamma if scale], [beta if center], mean, variance
    mean, variance = weights[-2], weights[-1]
    gamma = weights[0] if norm.scale else np.ones_like(mean)
    beta = weights[int(norm.scale)] if norm.center else np.zeros_like(mean)
    a = gamma / np.sqrt(variance + norm.epsilon)
    return a, beta - mean * a


def _consumers(layer):
    return [node.outbound_layer for node in layer._outbound_nodes]  # noqa: SLF001 (no public API)


def swappable_norms(model):
    """Names of the batch norms that feed only a max pool and never flip a sign."""
    names = []
    for layer in model.layers:
        if not isinstance(layer, layers.BatchNormalization):
            continue
        consumers = _consumers(layer)
        if len(consumers) == 1 and isinstance(consumers[0], layers.MaxPooling2D) \
                and np.all(affine(layer)[0] >= 0):
            names.append(layer.name)
    return names


def _on_last_axis_of_images(norm):
    axis = norm.axis if isinstance(norm.axis, (list, tuple)) else [norm.axis]
    return len(norm.input_shape) == 4 and list(axis) in ([3], [-1])


def _clone(layer):
    """A copy of layer with its weights, unbuilt: (layer, weights)."""
    return layer.__class__.from_config(layer.get_config()), layer.get_weights()


def _as_conv(norm):
    """A 1x1 convolution computing norm's y = a*x + b: (layer, weights)."""
    a, b = affine(norm)
    layer = layers.Conv2D(len(a), 1, use_bias=True, name=norm.name, dtype=norm.dtype)
    return layer, [np.diag(a).reshape(1, 1, len(a), len(a)).astype(np.float32), b.astype(np.float32)]


def _rebuild(model, deferred=frozenset(), copy=_clone):
    """A functional copy of a model (functional or Sequential), each layer
    built by copy(layer) -> (layer, weights) and called once; a layer named in
    deferred (one input, one consumer) runs after its consumer instead of
    before it."""
    tensors = {}  # id of an original layer's output -> the copy's tensor
    waiting = {}  # id of a deferred layer's output -> that layer
    built = []

    def source(tensor):
        return tensors[id(tensor)]

    # from model.inputs: a Sequential model does not list its InputLayer in model.layers
    for tensor, name in zip(model.inputs, model.input_names):
        tensors[id(tensor)] = keras.Input(tensor.shape[1:], name=name)
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, list) else [layer.input]
        if layer.name in deferred:
            tensors[id(layer.output)] = source(inputs[0])
            waiting[id(layer.output)] = layer
            continue
        chain = [layer]
        if len(inputs) == 1 and id(inputs[0]) in waiting:
            chain.append(waiting[id(inputs[0])])
        args = [source(t) for t in inputs]
        out = args if isinstance(layer.input, list) else args[0]
        for original in chain:
            new, weights = copy(original)
            out = new(out)
            built.append((new, weights))
        tensors[id(layer.output)] = out
    rebuilt = keras.Model(source(model.inputs[0]), source(model.outputs[0]), name=model.name)
    for new, weights in built:
        new.set_weights(weights)
    return rebuilt


def pool_before_norm(model):
    """(model, names): a functional copy of model in which each swappable
    batch norm runs after its max pool, and the names of those norms.
    Layer names and weights are kept."""
    swap = swappable_norms(model)
    return (_rebuild(model, frozenset(swap)) if swap else model), swap


def norms_as_conv(model):
    """(model, names): a functional copy of model in which each batch norm
    over the channels of images is a 1x1 convolution of the same name, and
    the names of those norms."""
    names = [layer.name for layer in model.layers
             if isinstance(layer, layers.BatchNormalization) and _on_last_axis_of_images(layer)]
    if not names:
        return model, []
    return _rebuild(model, copy=lambda layer: _as_conv(layer) if layer.name in names
                    else _clone(layer)), names


class Rewrites(NamedTuple):
    """What serving_graph changed; metadata.build writes it into metadata.json."""
    pooled_before_norm: list  # names of the batch norms that now run after their max pool
    norms_as_conv: list  # names of the batch norms that are now 1x1 convolutions
    gradcam_layer: str  # the trained model's last convolution, which Grad-CAM reads


def serving_graph(model):
    """(model, Rewrites): the graph the site runs, and what was rewritten."""
    pooled, swapped = pool_before_norm(model)
    served, converted = norms_as_conv(pooled)
    return served, Rewrites(pooled_before_norm=swapped, norms_as_conv=converted,
                            gradcam_layer=model.layers[last_conv_index(model)].name)
