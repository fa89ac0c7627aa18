"""The P(real) error that float16 and uint8 weight quantisation introduce, on
every labelled face crop in ../shared/datasets, for each published model.

The weights of the graph the exporter saves (convert/inference_graph.py: its
batch norms are 1x1 convolutions, so their weights round differently) are
quantised and dequantised with the TF.js converter's own functions (the
arithmetic TF.js applies when it loads quantised shards), scored with Keras
and compared with the model as trained. The figures cover far more faces than
a browser run could; the export's parity check confirms them in TF.js on its
sample.

    .venv/bin/python -m bench.quantization
"""
import argparse
import sys

import numpy as np

from bench.common import markdown_table, write_results
from convert import cli, inference_graph, mesonet, parity
from convert.constants import PARITY_TOLERANCE, PUBLISHED_MODELS, SHARED_DIR, THRESHOLDS
from convert.preprocess import load_inputs
from convert.scoring import keras_scores
from convert.tfenv import tensorflowjs

BATCH = 64


def bands(scores):
    """0 likely manipulated, 1 uncertain, 2 likely real (the default thresholds)."""
    return (scores >= THRESHOLDS["fake_below"]).astype(int) + (scores > THRESHOLDS["real_above"])


def dequantized(weights_list, option):
    quantization = tensorflowjs().quantization
    dtype = quantization.QUANTIZATION_OPTION_TO_DTYPES[option]
    out = []
    for w in weights_list:
        data, meta = quantization.quantize_weights(w, dtype)
        out.append(quantization.dequantize_weights(data, meta, w.dtype).reshape(w.shape))
    return out


def build_parser():
    return argparse.ArgumentParser(prog="bench.quantization", description=__doc__.split("\n\n")[0])


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    images = parity.list_images([SHARED_DIR / "datasets"])
    inputs = load_inputs(images)
    rows, data = [], []
    for model_id in PUBLISHED_MODELS:
        model = mesonet.load_source(model_id).model
        reference = keras_scores(model, inputs, batch_size=BATCH)
        served, _ = inference_graph.serving_graph(model)
        original = served.get_weights()
        for option in ("float16", "uint8"):
            served.set_weights(dequantized(original, option))
            scores = keras_scores(served, inputs, batch_size=BATCH)
            delta = np.abs(scores - reference)
            tolerance = PARITY_TOLERANCE[option]["cpu"]
            figures = {"max": float(delta.max()), "p99": float(np.percentile(delta, 99)),
                       "mean": float(delta.mean()),
                       "band_changes": int(np.sum(bands(scores) != bands(reference)))}
            rows.append([model_id, option, f"{figures['max']:.1e}", f"{figures['p99']:.1e}",
                         f"{figures['mean']:.1e}", figures["band_changes"], f"{tolerance:.0e}",
                         "yes" if figures["max"] <= tolerance else "no"])
            data.append({"model": model_id, "quantization": option, "faces": len(images),
                         **figures, "tolerance": tolerance})
    table = markdown_table(["model", "weights", f"max abs dP(real), {len(images)} faces", "p99",
                            "mean", "verdict changes", "tolerance", "within tolerance"], rows)
    print(table)
    print(f"\nwritten to {write_results('quantization', data, table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
