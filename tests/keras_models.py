"""Small MesoNets built the way a user's own training script builds them, in
Keras 3 or in tf_keras, trained for one step on seeded noise and saved in
every format that Keras writes; with the scores of the model as trained.

Run as a script, one Keras per process (the tests import tf_keras):

    python tests/keras_models.py keras3|tf_keras OUT_DIR INPUTS.npy

writes OUT_DIR/<model>/<format> and OUT_DIR/<model>/scores.npy (P(real) of
each input in INPUTS.npy, float32 [N, 256, 256, 3], from the trained model).
"""
import sys
from pathlib import Path

import numpy as np

# What each Keras writes for a model: file or folder name (see save())
FORMATS = {
    "keras3": ("model.keras", "model.h5", "model.weights.h5", "export", "saved_model"),
    "tf_keras": ("model.h5", "weights.h5", "model.keras", "model.weights.h5", "savedmodel",
                 "saved_model"),
}
# model -> (architecture, how it is built, formats saved (None: all))
MODELS = {
    "meso4": ("meso4", "functional", None),
    "meso4-named": ("meso4", "named", None),  # the user's own layer names
    "meso4-sequential": ("meso4", "sequential", None),
    "mesoinception4": ("mesoinception4", "functional", None),
    # not MesoNet: LeakyReLU left at Keras' default slope (0.3, MesoNet has 0.1)
    "meso4-slope": ("meso4", "slope", ("model.keras", "model.h5")),
    # not what the page feeds: the model rescales its input itself
    "meso4-rescaling": ("meso4", "rescaling", ("model.keras",)),
}
SEED = 16


def build(keras, architecture, style):
    layers = keras.layers
    counter = iter(range(1000))

    def name(kind):
        return f"my_{kind}_{next(counter)}" if style == "named" else None

    def leaky():
        if style == "slope":
            return layers.LeakyReLU()
        slope = {"negative_slope": 0.1} if keras.__version__.startswith("3") else {"alpha": 0.1}
        return layers.LeakyReLU(**slope, name=name("leaky"))

    def block(filters, kernel, pool):
        return [layers.Conv2D(filters, kernel, padding="same", activation="relu", name=name("conv")),
                layers.BatchNormalization(name=name("norm")),
                layers.MaxPooling2D(pool_size=pool, padding="same", name=name("pool"))]

    def head():
        return [layers.Flatten(name=name("flatten")), layers.Dropout(0.5, name=name("drop")),
                layers.Dense(16, name=name("dense")), leaky(), layers.Dropout(0.5, name=name("drop")),
                layers.Dense(1, activation="sigmoid", name=name("out"))]

    def chain(x, stack):
        for layer in stack:
            x = layer(x)
        return x

    inputs = keras.Input((256, 256, 3), name=name("image"))
    if architecture == "meso4":
        stack = [layers.Rescaling(1 / 255)] if style == "rescaling" else []
        stack += block(8, 3, 2) + block(8, 5, 2) + block(16, 5, 2) + block(16, 5, 4) + head()
        if style == "sequential":
            return keras.Sequential([inputs] + stack)
        return keras.Model(inputs, chain(inputs, stack))

    def inception(x, a, b, c, d):
        def conv(t, filters, kernel, dilation=1):
            return layers.Conv2D(filters, kernel, padding="same", activation="relu",
                                 dilation_rate=dilation, name=name("conv"))(t)

        return layers.Concatenate(axis=-1, name=name("concat"))([
            conv(x, a, 1), conv(conv(x, b, 1), b, 3), conv(conv(x, c, 1), c, 3, 2),
            conv(conv(x, d, 1), d, 3, 3)])

    x = inception(inputs, 1, 4, 4, 2)
    x = layers.MaxPooling2D(2, padding="same")(layers.BatchNormalization()(x))
    x = inception(x, 2, 4, 4, 2)
    x = layers.MaxPooling2D(2, padding="same")(layers.BatchNormalization()(x))
    return keras.Model(inputs, chain(x, block(16, 5, 2) + block(16, 5, 4) + head()))


def trained(keras, architecture, style):
    """Seeded weights, batch norms with statistics far from 0 and 1, one Adam step."""
    keras.utils.set_random_seed(SEED)
    model = build(keras, architecture, style)
    rng = np.random.default_rng(SEED)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = (np.asarray(w) for w in layer.get_weights())
            layer.set_weights([gamma * rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, .1, beta.shape),
                               rng.normal(0, .1, mean.shape), rng.uniform(.5, 2, var.shape)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    x = rng.random((4, 256, 256, 3), dtype=np.float32)
    model.fit(x, np.array([0, 1, 0, 1], np.float32), batch_size=2, epochs=1, verbose=0)
    return model


def save(keras, model, folder, formats):
    import tensorflow as tf

    folder.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        path = str(folder / fmt)
        if fmt in ("model.keras", "model.h5"):
            model.save(path)
        elif fmt in ("model.weights.h5", "weights.h5"):
            model.save_weights(path)
        elif fmt == "export":
            model.export(path, verbose=False)
        elif fmt == "savedmodel":
            model.save(path, save_format="tf")
        elif fmt == "saved_model":
            tf.saved_model.save(model, path)


def main(flavour, out_dir, inputs_path):
    import warnings

    warnings.simplefilter("ignore")
    if flavour == "keras3":
        import keras
        assert keras.__version__.startswith("3"), keras.__version__
    else:
        import tf_keras as keras
    inputs = np.load(inputs_path)
    for model_name, (architecture, style, formats) in MODELS.items():
        model = trained(keras, architecture, style)
        folder = Path(out_dir) / model_name
        save(keras, model, folder, formats or FORMATS[flavour])
        np.save(folder / "scores.npy", np.asarray(model(inputs, training=False)).reshape(-1))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
