"""Classification latency per backend beside native Keras, in one run; then
export time and parity error per weight format.

WASM is timed twice: as a first visit runs it (one thread) and as a returning
visit does (cross-origin isolated by the service worker, so a thread per
logical processor, up to 4).

    .venv/bin/python -m bench.model_inference [--models meso4-df ...] [--runs 30] [--rounds 5] [--no-export]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import markdown_table, median_ms, runtime_label, site_visits, write_results
from convert import browser, cli, mesonet, parity
from convert.constants import INPUT_CHANNELS, INPUT_SIZE, QUANTIZATIONS, SHARED_DATASETS_DIR
from convert.export import export
from convert.tfenv import tf

BATCH = 16


def real_face_images(limit=96):
    """Face images to measure the parity error on: the repository's test
    images, and an even sample of the labelled dataset crops where they are
    (the quantisation error is measured on real faces, not only on the usual sample)."""
    images = parity.list_images([SHARED_DATASETS_DIR]) if SHARED_DATASETS_DIR.is_dir() else []
    return images[::max(len(images) // limit, 1)][:limit]


def keras_forward(model_id):
    """Native Keras through a compiled tf.function: an eager model call spends
    most of its ~10 ms batch-1 time in Python dispatch, not arithmetic."""
    model = mesonet.load_source(model_id).model
    forward = tf.function(lambda x: model(x, training=False))
    face = (INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS)
    x1 = tf.constant(np.random.default_rng(0).random((1, *face), dtype=np.float32))
    xb = tf.constant(np.random.default_rng(1).random((BATCH, *face), dtype=np.float32))
    return lambda runs: (median_ms(lambda: forward(x1).numpy(), runs),
                         median_ms(lambda: forward(xb).numpy(), max(runs // 3, 5)) / BATCH)


def spread(row, key):
    """A latency's median over the rounds, and their range."""
    return "{:.2f} ({:.2f}-{:.2f})".format(row[key], *(f(r[key] for r in row["rounds"]) for f in (min, max)))


# (backend, isolated): WASM twice, as a first visit has it (one thread) and as a
# returning one (cross-origin isolated by the service worker: a thread per
# logical processor, up to 4).
BROWSER_RUNTIMES = (("wasm", False), ("wasm", True), ("cpu", False), ("webgl", False))


def browser_latency(chromium, base, backend, runs):
    """(threads, batch-1 ms, per-image ms at batch BATCH), or None where the backend cannot start."""
    with parity.harness_page(chromium, base, backend) as (page, _, reason):
        if reason:
            return None
        timing = "([m, b, n]) => window.harness.time(m, b, n)"
        one = page.evaluate(timing, [f"{base}/__model__/", 1, runs])["medianMs"]
        batched = page.evaluate(timing, [f"{base}/__model__/", BATCH, max(runs // 3, 5)])["medianMs"]
        return page.evaluate("window.harness.threads"), one, batched / BATCH


def latency_rounds(model_id, model_dir, runs, rounds):
    """Keras and each browser configuration, interleaved over rounds (this
    machine is noisy); {label: {"threads", "batch1_ms", "batched_ms"}} of medians
    over rounds, plus each round's figures."""
    keras = keras_forward(model_id)
    samples = {}
    with site_visits(parity.harness_routes(model_dir)) as bases, browser.launch() as chromium:
        for _ in range(rounds):
            samples.setdefault(("keras", False), []).append((1, *keras(runs)))
            for backend, iso in BROWSER_RUNTIMES:
                if samples.get((backend, iso)) == [None]:
                    continue  # did not start in the first round: not in this browser
                samples.setdefault((backend, iso), []).append(
                    browser_latency(chromium, bases[iso], backend, runs))
    out = {}
    for (label, iso), rows in samples.items():
        rows = [r for r in rows if r is not None]
        if not rows:
            continue
        threads = rows[0][0]
        name = "keras (native)" if label == "keras" else runtime_label(label, threads, iso)
        out[name] = {"backend": label, "isolated": iso, "threads": threads,
                     "batch1_ms": statistics.median(r[1] for r in rows),
                     "batched_ms": statistics.median(r[2] for r in rows),
                     "rounds": [{"batch1_ms": r[1], "batched_ms": r[2]} for r in rows]}
    return out


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["meso4-df"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians over them")
    parser.add_argument("--no-export", action="store_true", help="time only, skip the export and parity table")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    images = [] if args.no_export else real_face_images()
    latency_rows, export_rows, data = [], [], {"batch": BATCH, "latency": {}, "export": []}
    for model_id in args.models:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / model_id
            export(model_id, out, check_parity=False, log=lambda _: None)
            latency = latency_rounds(model_id, out, args.runs, args.rounds)
        data["latency"][model_id] = latency
        native = latency["keras (native)"]
        for name, row in latency.items():
            latency_rows.append([model_id, name, spread(row, "batch1_ms"), spread(row, "batched_ms"),
                                 f"{row['batch1_ms'] / native['batch1_ms']:.2f}",
                                 f"{row['batched_ms'] / native['batched_ms']:.2f}"])
        for quantize in ([] if args.no_export else QUANTIZATIONS):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / model_id
                started = time.perf_counter()
                export(model_id, out, quantize=quantize, check_parity=False, log=lambda _: None)
                convert_s = time.perf_counter() - started
                started = time.perf_counter()
                meta = export(model_id, out, quantize=quantize, parity_images=images, log=lambda _: None)
                total_s = time.perf_counter() - started
            for backend, row in meta["parity"]["backends"].items():
                export_rows.append([model_id, quantize, backend, row.get("threads", "-"),
                                    f"{convert_s:.1f} / {total_s:.1f}",
                                    f"{row.get('max_abs_diff', float('nan')):.1e}"])
                data["export"].append({"model": model_id, "quantization": quantize, "runtime": backend,
                                       "threads": row.get("threads"), "export_s": convert_s,
                                       "export_with_parity_s": total_s,
                                       "parity_images": meta["parity"]["images"],
                                       "max_abs_diff": row.get("max_abs_diff"),
                                       "mean_abs_diff": row.get("mean_abs_diff")})
    table = markdown_table(
        ["model", "runtime", "batch-1 ms (rounds' range)", f"ms per face at batch {BATCH} (range)", "batch-1 vs Keras",
         "batched vs Keras"], latency_rows)
    table += f"\n\nMedians of {args.rounds} interleaved rounds of {args.runs} calls (batched: a third as many).\n"
    if export_rows:
        table += "\n" + markdown_table(
            ["model", "weights", "runtime", "threads", "export s (convert / with parity)",
             f"max abs dP(real) on {len(images)} faces + 4 random"], export_rows)
    print(table)
    print(f"\nwritten to {write_results('model_inference', data, table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
