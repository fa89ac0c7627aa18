"""The graph the site runs pools before it normalises, with the trained model's outputs."""
import numpy as np
import pytest

from convert import inference_graph
from convert.tfenv import keras
from test_export import deterministic_model

BN, POOL = keras.layers.BatchNormalization, keras.layers.MaxPooling2D


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
    for original, copy in zip(sorted(model.layers, key=lambda l: l.name), sorted(served.layers, key=lambda l: l.name)):
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
