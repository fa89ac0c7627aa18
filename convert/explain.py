"""Grad-CAM for MesoNet, the reference the page's site/js/engine/explain.js must match.

The map shows where the last convolution's activations pushed the score
towards the explained class. For "fake" the explained score is the logit of
P(fake), -z, where z is the logit of P(real) (the final Dense layer before its
sigmoid); for "real" it is z. Selvaraju et al., ICCV 2017:

    alpha_k = mean over (i, j) of d score / d A[i, j, k]
    cam     = ReLU(sum_k alpha_k * A[:, :, k])        (on the 32x32 grid)

Normalised maps divide by their maximum (an all-zero map stays zero).

    python convert/explain.py face.jpg --model meso4-df --out maps/
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from PIL import Image

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convert import cli  # noqa: E402
from convert.preprocess import decode, to_input  # noqa: E402

TARGETS = ("fake", "real")


def split(model):
    """(features model x -> A, head layers A -> h, (kernel, bias) of the last Dense)."""
    from convert import mesonet  # late: loads TensorFlow, after --verbose is read (convert/cli.py)
    from convert.tfenv import keras

    index = mesonet.last_conv_index(model)
    features = keras.Model(model.inputs, model.layers[index].output)
    head = model.layers[index + 1:-1]
    kernel, bias = model.layers[-1].get_weights()
    return features, head, (kernel, bias)


def grad_cam(model, inputs, target="fake"):
    """Raw Grad-CAM maps [N, h, w] (not normalised) for inputs [N, S, S, 3]."""
    from convert.tfenv import tf  # late: loads TensorFlow, after --verbose is read (convert/cli.py)

    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}")
    features, head, (kernel, bias) = split(model)
    activations = features(inputs, training=False)
    with tf.GradientTape() as tape:
        tape.watch(activations)
        x = activations
        for layer in head:
            x = layer(x, training=False)
        logit_real = tf.matmul(x, kernel) + bias
        score = -logit_real if target == "fake" else logit_real
    grads = tape.gradient(score, activations)
    alpha = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    return tf.nn.relu(tf.reduce_sum(alpha * activations, axis=-1)).numpy()


def normalise(maps):
    """Each map divided by its maximum; all-zero maps stay zero."""
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.where(peak > 0, maps / np.where(peak > 0, peak, 1), 0.0).astype(np.float32)


def overlay_png(rgb, cam, path, opacity=0.5):
    """Write the face with the normalised map laid over it (colormap 'inferno'),
    each pixel's opacity proportional to the map so cold regions stay visible."""
    heat = np.asarray(Image.fromarray(np.uint8(cam * 255)).resize(rgb.shape[1::-1],
                                                                 Image.BILINEAR)) / 255.0
    colours = colormaps["inferno"](heat)[..., :3]
    alpha = opacity * heat[..., None]
    blended = (1 - alpha) * rgb / 255.0 + alpha * colours
    Image.fromarray(np.uint8(np.clip(blended, 0, 1) * 255)).save(path)


def build_parser():
    parser = argparse.ArgumentParser(prog="explain.py", description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+", type=Path, help="face images (whole image is scored)")
    parser.add_argument("--model", default="meso4-df", help="published model name or .h5")
    parser.add_argument("--target", choices=TARGETS, default="fake",
                        help="the class the map explains (default: fake)")
    parser.add_argument("--out", type=Path, required=True, help="folder for PNG and JSON maps")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    from convert import mesonet  # late: loads TensorFlow, after --verbose is read (convert/cli.py)

    model = mesonet.load_source(args.model, allow_other=True).model
    args.out.mkdir(parents=True, exist_ok=True)
    for image in args.images:
        rgb = decode(image)
        x = to_input(rgb)[None]
        raw = grad_cam(model, x, args.target)
        cam = normalise(raw)[0]
        p_real = float(model(x, training=False).numpy().reshape(-1)[0])
        overlay_png(rgb, cam, args.out / f"{image.stem}.gradcam.png")
        (args.out / f"{image.stem}.gradcam.json").write_text(json.dumps({
            "image": str(image), "model": args.model, "target": args.target,
            "p_real": p_real, "shape": list(cam.shape), "max_raw": float(raw.max()),
            "map": np.round(cam, 6).tolist()}) + "\n")
        print(f"{image}: P(real) {p_real:.3f}, map {cam.shape[0]}x{cam.shape[1]} -> "
              f"{args.out / (image.stem + '.gradcam.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
