"""The graph the site runs pools before it normalises and normalises with 1x1
convolutions, with the trained model's outputs."""
import numpy as np
import pytest

from convert import inference_graph, mesonet
from convert.tfenv import keras
from test_export import deterministic_model

BN, POOL, CONV = keras.layers.BatchNormalization, keras.layers.MaxPooling2D, keras.layers.Conv2D


def inbound(model, name):
    return model.get_layer(name)._inbound_nodes[0].inbound_layers  # noqa: SLF001


def outputs(model, x):
    return model(x, training=False).numpy()


@pytest.mark.parametrize("architecture", ["meso4", "mesoinception4"])
def test_each_norm_runs_after_its_pool_with_equal_outputs(architecture):
    model = deterministic_model(architecture)
    served, names = inference_graph.pool_before_norm(model)
    norms = [layer.name for layer in model.layers if isinstance(layer, BN)]
    assert names == sorted(norms) and len(norms) == 4
    assert [layer.name for layer in served.layers if isinstance(layer, (BN, POOL))] != \
        [layer.name for layer in model.layers if isinstance(layer, (BN, POOL))]
    for name in names:
        assert isinstance(inbound(served, name), POOL)
    x = np.random.default_rng(0).random((4, 256, 256, 3), dtype=np.float32)
    np.testing.assert_allclose(outputs(served, x), outputs(model, x), rtol=0, atol=1e-6)
    def by_name(m):
        return sorted(m.layers, key=lambda layer: layer.name)

    for original, copy in zip(by_name(model), by_name(served)):
        assert original.name == copy.name
        for a, b in zip(original.get_weights(), copy.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_a_norm_that_flips_a_sign_keeps_its_place():
    """max(-x) is not -max(x): a block whose scale is negative anywhere is not reordered."""
    model = deterministic_model("meso4", seed=3)
    flipped = [layer for layer in model.layers if isinstance(layer, BN)][1]
    gamma, *rest = flipped.get_weights()
    gamma[0] = -abs(gamma[0])
    flipped.set_weights([gamma, *rest])
    served, names = inference_graph.pool_before_norm(model)
    assert flipped.name not in names and len(names) == 3
    assert isinstance(inbound(served, flipped.name), keras.layers.Conv2D)
    x = np.random.default_rng(1).random((2, 256, 256, 3), dtype=np.float32)
    np.testing.assert_allclose(outputs(served, x), outputs(model, x), rtol=0, atol=1e-6)


@pytest.mark.parametrize("architecture", ["meso4", "mesoinception4"])
def test_each_norm_becomes_a_1x1_convolution_with_equal_outputs(architecture):
    model = deterministic_model(architecture, seed=5)
    served, names = inference_graph.norms_as_conv(model)
    norms = [layer for layer in model.layers if isinstance(layer, BN)]
    assert names == [norm.name for norm in norms] and len(names) == 4
    assert not [layer for layer in served.layers if isinstance(layer, BN)]
    for norm in norms:
        conv = served.get_layer(norm.name)
        assert isinstance(conv, CONV) and conv.kernel_size == (1, 1)
        kernel, bias = conv.get_weights()
        a, b = inference_graph.affine(norm)
        np.testing.assert_array_equal(kernel[0, 0], np.diag(a))  # zeros off the diagonal
        np.testing.assert_array_equal(bias, b)
        assert inbound(served, norm.name).name == inbound(model, norm.name).name
    x = np.random.default_rng(2).random((4, 256, 256, 3), dtype=np.float32)
    np.testing.assert_allclose(outputs(served, x), outputs(model, x), rtol=0, atol=1e-6)


def test_affine_is_what_keras_computes():
    model = deterministic_model("meso4", seed=7)
    norm = [layer for layer in model.layers if isinstance(layer, BN)][0]
    x = np.random.default_rng(4).normal(size=(2, 8, 8, norm.input_shape[-1])).astype(np.float32)
    a, b = inference_graph.affine(norm)
    np.testing.assert_allclose(norm(x, training=False).numpy(), a * x + b, rtol=0, atol=1e-5)


def test_serving_graph_names_the_trained_models_last_convolution():
    """Grad-CAM reads the trained model's last convolution, not a 1x1 convolution
    the rewrite added after it."""
    model = deterministic_model("meso4", seed=6)
    served, notes = inference_graph.serving_graph(model)
    last = model.layers[mesonet.last_conv_index(model)].name
    assert notes.gradcam_layer == last
    assert served.layers[mesonet.last_conv_index(served)].name != last  # what a guess would pick
    assert notes.pooled_before_norm == notes.norms_as_conv == \
        sorted(layer.name for layer in model.layers if isinstance(layer, BN))
    x = np.random.default_rng(3).random((2, 256, 256, 3), dtype=np.float32)
    np.testing.assert_allclose(outputs(served, x), outputs(model, x), rtol=0, atol=1e-6)


def test_a_sequential_model_is_rewritten_too():
    """A user's own training may save a Sequential model, which does not list
    its input layer among its layers."""
    rng = np.random.default_rng(8)
    model = keras.Sequential([keras.Input((32, 32, 3)), CONV(4, 3, padding="same", activation="relu"),
                              BN(), POOL(2), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    conv, norm = model.layers[:2]
    norm.set_weights([rng.uniform(0.5, 2, 4), rng.normal(size=4), rng.normal(size=4), rng.uniform(0.5, 2, 4)])
    served, notes = inference_graph.serving_graph(model)
    assert notes == inference_graph.Rewrites(pooled_before_norm=[norm.name], norms_as_conv=[norm.name],
                                             gradcam_layer=conv.name)
    x = rng.random((2, 32, 32, 3), dtype=np.float32)
    np.testing.assert_allclose(outputs(served, x), outputs(model, x), rtol=0, atol=1e-6)
