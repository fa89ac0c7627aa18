"""Time to compute one Grad-CAM map on each TF.js backend, beside the Python
reference (tf.GradientTape on the Keras model), in one run.

    .venv/bin/python -m bench.explain [--runs 10]
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.common import markdown_table, median_ms, write_results
from convert import browser, cli, explain, mesonet, parity, webserver
from convert.constants import INPUT_CHANNELS, INPUT_SIZE, PARITY_BACKENDS
from convert.export import export


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="meso4-df")
    parser.add_argument("--runs", type=int, default=10)
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    model = mesonet.load_source(args.model).model
    face = np.random.default_rng(0).random((1, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS), dtype=np.float32)
    python_ms = median_ms(lambda: explain.grad_cam(model, face), args.runs)
    rows = [["python (tf.GradientTape)", f"{python_ms:.1f}", "1.0"]]
    data = [{"runtime": "python", "median_ms": python_ms}]
    with tempfile.TemporaryDirectory() as tmp:
        export(args.model, Path(tmp) / "m", check_parity=False, log=lambda _: None)
        with webserver.serve(parity.harness_routes(Path(tmp) / "m")) as base, \
                browser.launch() as chromium:
            for backend in PARITY_BACKENDS:
                with parity.harness_page(chromium, base, backend) as (page, _, reason):
                    if reason:
                        rows.append([backend, f"unavailable: {reason}", "-"])
                        continue
                    runs = max(args.runs // 3, 3) if backend == "webgl" else args.runs
                    ms = page.evaluate("([m, n]) => window.harness.timeGradCam(m, n)",
                                       [f"{base}/__model__/", runs])["medianMs"]
                    rows.append([backend, f"{ms:.1f}", f"{ms / python_ms:.1f}"])
                    data.append({"runtime": backend, "median_ms": ms})
    table = markdown_table(["runtime", "ms per Grad-CAM map (median)", "vs python"], rows)
    print(table)
    print(f"\nwritten to {write_results('explain', data, table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
