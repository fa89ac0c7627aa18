"""Export time, parity error and classification latency per backend, beside
native Keras on the same machine in the same run.

    .venv/bin/python -m bench.model_inference [--models meso4-df ...] [--runs 30]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import markdown_table, median_ms, write_results
from convert import browser, mesonet, parity, weights, webserver
from convert.constants import PARITY_BACKENDS, QUANTIZATIONS, SHARED_DIR
from convert.export import export

BATCH = 16


def real_face_images(limit=96):
    """Labelled real and fake dataset crops, evenly sampled: the quantisation error
    is measured on real face images, not only on the parity sample."""
    images = parity.list_images([SHARED_DIR / "datasets"])
    return images[::max(len(images) // limit, 1)][:limit]


def keras_latency(model_id, runs):
    """Native Keras through a compiled tf.function: an eager model call spends
    most of its ~10 ms batch-1 time in Python dispatch, not arithmetic."""
    from convert.tfenv import tf

    model, _ = mesonet.load(weights.resolve(model_id))
    forward = tf.function(lambda x: model(x, training=False))
    x1 = tf.constant(np.random.default_rng(0).random((1, 256, 256, 3), dtype=np.float32))
    xb = tf.constant(np.random.default_rng(1).random((BATCH, 256, 256, 3), dtype=np.float32))
    one = median_ms(lambda: forward(x1).numpy(), runs)
    batched = median_ms(lambda: forward(xb).numpy(), max(runs // 3, 5)) / BATCH
    return one, batched


def browser_latency(model_dir, runs):
    """{backend: (batch-1 ms, per-image ms at batch BATCH)}."""
    out = {}
    with webserver.serve(parity.harness_routes(model_dir)) as base, browser.launch() as chromium:
        for backend in PARITY_BACKENDS:
            with parity.harness_page(chromium, base, backend) as (page, _, reason):
                if reason:
                    out[backend] = None
                    continue
                timing = "([m, b, n]) => window.harness.time(m, b, n)"
                one = page.evaluate(timing, [f"{base}/__model__/", 1, runs])["medianMs"]
                runs_b = max(runs // 3, 5)
                batched = page.evaluate(timing, [f"{base}/__model__/", BATCH, runs_b])["medianMs"]
                out[backend] = (one, batched / BATCH)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["meso4-df"])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    images = real_face_images()
    rows, data = [], []
    for model_id in args.models:
        keras_one, keras_batched = keras_latency(model_id, args.runs)
        rows.append([model_id, "-", "keras (native)", "-", "-", f"{keras_one:.2f}", f"{keras_batched:.2f}", "1.0"])
        data.append({"model": model_id, "runtime": "keras", "batch1_ms": keras_one,
                     "per_image_batched_ms": keras_batched})
        for quantize in QUANTIZATIONS:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / model_id
                started = time.perf_counter()
                export(model_id, out, quantize=quantize, check_parity=False, log=lambda _: None)
                convert_s = time.perf_counter() - started
                started = time.perf_counter()
                meta = export(model_id, out, quantize=quantize, parity_images=images,
                              log=lambda _: None)
                total_s = time.perf_counter() - started
                latency = browser_latency(out, args.runs) if quantize == "none" else {}
            for backend, row in meta["parity"]["backends"].items():
                one, batched = latency.get(backend) or (None, None)
                fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
                rows.append([model_id, quantize, backend, f"{convert_s:.1f} / {total_s:.1f}",
                             f"{row.get('max_abs_diff', float('nan')):.1e}", fmt(one), fmt(batched),
                             "-" if one is None else f"{one / keras_one:.1f}"])
                data.append({"model": model_id, "quantization": quantize, "runtime": backend,
                             "export_s": convert_s, "export_with_parity_s": total_s,
                             "parity_images": meta["parity"]["images"],
                             "max_abs_diff": row.get("max_abs_diff"),
                             "mean_abs_diff": row.get("mean_abs_diff"),
                             "batch1_ms": one, "per_image_batched_ms": batched})
    table = markdown_table(
        ["model", "weights", "runtime", "export s (convert / with parity)",
         f"max abs dP(real) on {len(images)} faces + 4 random", "batch-1 ms",
         f"ms/image at batch {BATCH}", "batch-1 vs keras"], rows)
    print(table)
    print(f"\nwritten to {write_results('model_inference', data, table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
