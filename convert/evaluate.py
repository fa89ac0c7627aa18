"""Score a labelled real/ + fake/ folder with a MesoNet and write metrics and plots.

    python convert/evaluate.py ../shared/datasets/mesonet_df_validation --model meso4-df
    python convert/evaluate.py DATA --model my_retrained.h5 --out results/eval/mine
    python convert/evaluate.py DATA --model meso4-df --calibrate   # also writes thresholds.json
    python convert/evaluate.py DATA --model site/model/meso4-df --browser  # the site, in Chromium

"fake" is the positive class: precision and recall are those of calling a
face fake; a face is called fake when P(real) < the decision threshold.
Writes metrics.json, scores.csv (one P(real) per file), roc.png,
confusion.png and histogram.png into the output folder.
"""
import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from convert import browser, cli, dataset, metadata, metrics, plots, webserver  # noqa: E402
from convert.constants import (  # noqa: E402
    CALIBRATION_PRECISION,
    CALIBRATION_SPLIT_SEED,
    DECISION_THRESHOLD,
    METADATA_FILE,
    METRICS_FILE,
    POSITIVE_CLASS,
    PUBLISHED_MODELS,
    REPO_ROOT,
    SCORES_FILE,
    SITE_DIR,
    THRESHOLDS,
    THRESHOLDS_FILE,
)
from convert.errors import ConvertError  # noqa: E402
from convert.preprocess import load_inputs  # noqa: E402
from convert.scoring import keras_scores  # noqa: E402
from convert.site_page import SitePage  # noqa: E402

DEFAULT_OUT = REPO_ROOT / "results" / "eval"
PLOTS = {"roc": "roc.png", "confusion": "confusion.png", "histogram": "histogram.png"}


# --- scoring (I/O) ---------------------------------------------------------

def load_keras(source):
    """(keras model, facts) from a published model name or a .h5 path."""
    from convert import mesonet  # late: loads TensorFlow, after --verbose is read (convert/cli.py)

    model, arch, _, _ = mesonet.load_source(source, allow_other=True)
    return model, {"model": str(source), "architecture": arch, "runtime": "keras",
                   "thresholds": dict(THRESHOLDS)}


def browser_facts(model_dir):
    model_dir = Path(model_dir)
    meta_path = model_dir / METADATA_FILE
    if not meta_path.is_file():
        raise ConvertError(model_dir, f"no {METADATA_FILE}: --browser needs a folder written "
                                      "by export_tfjs.py")
    meta = json.loads(meta_path.read_text())
    return meta, {"model": str(model_dir), "architecture": meta.get("architecture"),
                  "runtime": "tfjs-browser", "thresholds": dict(meta["thresholds"])}


def score_browser(model_dir, paths, backend="wasm", chunk=48, log=None):
    """P(real) per image from the site itself (?faces=off, whole image) in headless
    Chromium, driven only through its test hooks. The model folder is served as
    the site's only model."""
    meta, _ = browser_facts(model_dir)
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "model"
        root.mkdir()
        (root / meta["id"]).symlink_to(Path(model_dir).resolve(), target_is_directory=True)
        metadata.update_index(root)
        with webserver.serve({"/": SITE_DIR, "/model": root}) as base, \
                browser.launch() as chromium:
            for start in range(0, len(paths), chunk):
                part = paths[start:start + chunk]
                scores.update(_score_page(chromium, base, meta["id"], backend, part))
                if log:
                    log(f"scored {start + len(part)}/{len(paths)} in the browser ({backend})")
    return np.array([scores[str(p)] for p in paths], dtype=np.float64)


def _score_page(chromium, base, model_id, backend, paths):
    # No service worker: its precache could answer with another build's model.
    context = chromium.new_context(service_workers="block")
    try:
        page = SitePage(context.new_page()).open(base, f"?backend={backend}&model={model_id}&faces=off")
        page.wait_ready(timeout_ms=120_000)
        out = {}
        for path, row in zip(paths, page.add_files(paths)):
            if row["state"] != "done" or row["file"] != path.name:
                raise ConvertError(path, "the page could not score this file")
            out[str(path)] = row["p_real"]
        return out
    finally:
        context.close()


# --- figures (pure) --------------------------------------------------------

def evaluate(items, p_real, threshold=DECISION_THRESHOLD, thresholds=None):
    """The metrics report for scored items: per image, and per video when file names
    (or labels.csv) tie frames to videos (a video's score is its frames' mean)."""
    y = np.array([item.y for item in items])
    thresholds = thresholds or THRESHOLDS
    report = {"positive_class": POSITIVE_CLASS, "score": "p_real",
              "rule": f"called fake when P(real) < {threshold}",
              "images": metrics.summary(y, p_real, threshold),
              "images_bands": metrics.bands(y, p_real, thresholds)}
    if dataset.has_videos(items):
        _, vy, vp = metrics.by_video([item.video for item in items], y, p_real)
        report["videos"] = metrics.summary(vy, vp, threshold)
        report["videos_bands"] = metrics.bands(vy, vp, thresholds)
    return report


def calibrate(items, p_real, precision=CALIBRATION_PRECISION, seed=CALIBRATION_SPLIT_SEED):
    """Choose the uncertain band on one half of the groups (videos, or a fake with
    its original), and report it on the other half."""
    y = np.array([item.y for item in items])
    split = metrics.split_groups([item.group for item in items], y, (0.5, 0.5), seed)
    chosen = metrics.calibrate_band(y[split == 0], p_real[split == 0], precision)
    chosen = {k: round(v, 4) for k, v in chosen.items()}
    return {"thresholds": chosen, "precision_target": precision, "seed": seed,
            "split_by": "video group (a fake with its original, or one video)",
            "calibration_split": metrics.bands(y[split == 0], p_real[split == 0], chosen)
            | {"count": int(np.sum(split == 0)), "groups": _n_groups(items, split == 0)},
            "held_out_split": metrics.bands(y[split == 1], p_real[split == 1], chosen)
            | {"count": int(np.sum(split == 1)), "groups": _n_groups(items, split == 1)}}


def _n_groups(items, mask):
    return len({item.group for item, keep in zip(items, mask) if keep})


# --- outputs (I/O) ---------------------------------------------------------

def write_outputs(out_dir, report, items, p_real, title):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / METRICS_FILE).write_text(json.dumps(report, indent=2) + "\n")
    with open(out_dir / SCORES_FILE, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "label", "video", "group", "p_real"])
        for item, score in zip(items, p_real):
            writer.writerow([f"{item.label}/{item.path.name}", item.label, item.video or "",
                             item.group, f"{score:.6f}"])
    y = np.array([item.y for item in items])
    curves = [("per image",) + metrics.roc_curve(y, p_real)[:2] + (report["images"]["roc_auc"],)]
    if "videos" in report:
        _, vy, vp = metrics.by_video([item.video for item in items], y, p_real)
        curves.append(("per video",) + metrics.roc_curve(vy, vp)[:2]
                      + (report["videos"]["roc_auc"],))
    plots.roc(curves, out_dir / PLOTS["roc"], f"ROC: {title}")
    plots.confusion(report["images"]["confusion"]["matrix"], out_dir / PLOTS["confusion"],
                    f"{title}\ncalled fake when P(real) < {report['images']['threshold']}")
    plots.histogram(y, p_real, report["images_bands"]["thresholds"],
                    out_dir / PLOTS["histogram"], f"Scores: {title}")
    return out_dir


def run(data_dir, source, out_dir=None, browser=False, backend="wasm", calibrate_band=False,
        limit=None, log=lambda _: None):
    """Score, compute, write; returns the report. Raises ConvertError."""
    items = dataset.load_folder(data_dir)
    if limit:
        items = _even_subset(items, limit)
    if browser:
        if source in PUBLISHED_MODELS or not Path(source).is_dir():
            raise ConvertError(source, "--browser needs an exported TF.js model folder "
                                       "(python convert/export_tfjs.py ... --out FOLDER)")
        _, facts = browser_facts(source)
        facts["backend"] = backend
        p_real = score_browser(source, [item.path for item in items], backend, log=log)
    else:
        model, facts = load_keras(source)
        p_real = keras_scores(model, [item.path for item in items], to_inputs=load_inputs,
                              log=log).astype(np.float64)
    report = {"dataset": Path(data_dir).resolve().name, **facts}
    report.update(evaluate(items, p_real, DECISION_THRESHOLD, facts["thresholds"]))
    if calibrate_band:
        report["calibration"] = calibrate(items, p_real)
    if out_dir is None:
        out_dir = DEFAULT_OUT / f"{Path(str(source)).stem}-{report['dataset']}"
    out_dir = Path(out_dir)
    write_outputs(out_dir, report, items, p_real, f"{Path(str(source)).stem} on {report['dataset']}")
    if calibrate_band:
        write_thresholds(out_dir / THRESHOLDS_FILE, report)
    return report, out_dir


def write_thresholds(path, report):
    """The file export_tfjs.py --thresholds reads: the band plus where it came from."""
    cal = report["calibration"]
    Path(path).write_text(json.dumps({
        **cal["thresholds"],
        "calibrated_on": report["dataset"], "model": report["model"],
        "precision_target": cal["precision_target"],
        "held_out": {k: cal["held_out_split"][k] for k in
                     ("count", "coverage", "accuracy_decided", "fake_band_precision",
                      "real_band_precision")}}, indent=2) + "\n")


def _even_subset(items, limit):
    """About `limit` items, the same share of each class, evenly spaced."""
    out = []
    for label in ("real", "fake"):
        of_label = [item for item in items if item.label == label]
        step = max(len(of_label) // max(limit // 2, 1), 1)
        out += of_label[::step][:max(limit // 2, 1)]
    return out


def _fmt(value):
    return "n/a" if value is None else f"{value:.3f}"


def build_parser():
    parser = argparse.ArgumentParser(prog="evaluate.py", description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="folder with real/ and fake/ images")
    parser.add_argument("--model", required=True,
                        help="published model name, Keras .h5, or (with --browser) an exported "
                             "TF.js folder")
    parser.add_argument("--out", type=Path,
                        help=f"output folder (default: {DEFAULT_OUT.relative_to(REPO_ROOT)}/<model>-<dataset>)")
    parser.add_argument("--browser", action="store_true",
                        help="score with the exported model in the site, in headless Chromium")
    parser.add_argument("--backend", default="wasm", choices=("cpu", "wasm", "webgl"),
                        help="TF.js backend for --browser (default: wasm)")
    parser.add_argument("--calibrate", action="store_true",
                        help=f"choose the uncertain band on half the videos, report it on the "
                             f"other half, and write {THRESHOLDS_FILE}")
    parser.add_argument("--limit", type=int, help="score only about this many images (a quick look)")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    started = time.perf_counter()
    report, out = run(args.data_dir, args.model, args.out, browser=args.browser,
                      backend=args.backend, calibrate_band=args.calibrate, limit=args.limit,
                      log=cli.log)
    images = report["images"]
    print(f"{report['dataset']}: {images['count']} images, ROC AUC {_fmt(images['roc_auc'])}, "
          f"EER {_fmt(images['eer'])}, accuracy {_fmt(images['accuracy'])}"
          + (f"; {report['videos']['count']} videos, accuracy {_fmt(report['videos']['accuracy'])}, "
             f"ROC AUC {_fmt(report['videos']['roc_auc'])}" if "videos" in report else "")
          + f" -> {out} ({time.perf_counter() - started:.0f} s)")
    if "calibration" in report:
        t = report["calibration"]["thresholds"]
        print(f"calibrated band: fake below {t['fake_below']}, real above {t['real_above']} "
              f"-> {out / THRESHOLDS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
