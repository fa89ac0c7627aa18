"""Which crop around a BlazeFace box makes MesoNet score faces as it scores
its training crops: CROP_MARGIN and CROP_SHIFT in site/js/domain/faces.js.

The labelled face crops (mesonet_df_validation, dfdc_faces224) are what
MesoNet was trained and evaluated on, scored whole. A face in a larger
picture is scored on the crop the page derives from the detector's box, so
each crop is pasted into the middle of a picture three times its side, grey
or a blurred enlargement of the crop itself (so that there is context), and
the page's detector (site/js/engine/face-detector.js, in Chromium) boxes the face
there. For each candidate margin and shift the square crop is cut as
planCrops cuts it and scored with Keras (Meso4_DF); the ROC AUC over that
set ("faces on") is compared with the AUC of the same crops scored whole.

The crops are split by video (MesoNet: video id; DFDC: the real video and
the fakes made from it) into a dev half, where the candidates are chosen,
and a held-out half, reported for the chosen one. The geometry is printed
too: the crop's side over the detector box's side, and its centre's offset
from the box's centre in box sides (the "ideal" margin and shift).

    .venv/bin/python -m bench.crop_calibration [--limit 160] [--margins 1.3,1.4] [--shifts=-0.05,0]

The detections are cached in results/ (keyed by the crops), so another grid
of margins and shifts on the same crops only scores again.
"""
import argparse
import csv
import json
import math
import sys
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from bench.common import RESULTS_DIR, markdown_table, site_missing, write_results
from bench.detector_page import detector_page
from convert import cli, mesonet
from convert.constants import INPUT_SIZE, PIXEL_SCALE, SHARED_DIR
from convert.metrics import roc_auc
from convert.preprocess import decode
from convert.scoring import keras_scores

DATASETS = SHARED_DIR / "datasets"
SETS = ("mesonet_df_validation", "dfdc_faces224")
PAD = 3  # the picture's side over the crop's
MIN_CONFIDENCE = 0.5  # site/js/domain/faces.js


def groups(folder):
    """[(relative path, label 1 = fake, group)] of a labelled folder."""
    rows = []
    with open(DATASETS / folder / "labels.csv", newline="") as f:
        for r in csv.DictReader(f):
            if folder == "mesonet_df_validation":
                group = f"{r['label']}-{r['video_id']}"
            else:
                group = Path(r["original_video"] or r["dfdc_video"]).stem
            rows.append((r["file"], int(r["label"] == "fake"), group))
    return rows


def is_dev(group):
    return zlib.crc32(group.encode()) % 2 == 0


def js_round(v):
    return math.floor(v + 0.5)


def square_crop(d, width, height, margin, shift):
    """site/js/domain/faces.js squareCrop, in Python (same rounding)."""
    limit = min(width, height)
    side = max(1, min(limit, js_round(max(d["width"], d["height"]) * margin)))
    cx = d["x"] + d["width"] * (0.5 + shift[0])
    cy = d["y"] + d["height"] * (0.5 + shift[1])
    x = min(max(js_round(cx - side / 2), 0), width - side)
    y = min(max(js_round(cy - side / 2), 0), height - side)
    return x, y, side


def nearest_input(rgb, box=None):
    """convert.preprocess.to_input for RESIZE_METHOD nearest (TF's half-pixel index rule), in numpy."""
    if box is not None:
        x, y, s = box
        rgb = rgb[y:y + s, x:x + s]
    h, w = rgb.shape[:2]
    rows = np.minimum(np.floor((np.arange(INPUT_SIZE) + 0.5) * h / INPUT_SIZE).astype(int), h - 1)
    cols = np.minimum(np.floor((np.arange(INPUT_SIZE) + 0.5) * w / INPUT_SIZE).astype(int), w - 1)
    return rgb[rows][:, cols].astype(np.float32) / PIXEL_SCALE


def padded(rgb, kind):
    """The crop in the middle of a picture PAD times its side: grey, or its own blurred enlargement."""
    h, w = rgb.shape[:2]
    if kind == "grey":
        canvas = np.full((h * PAD, w * PAD, 3), 128, np.uint8)
    else:
        canvas = cv2.GaussianBlur(cv2.resize(rgb, (w * PAD, h * PAD), interpolation=cv2.INTER_LINEAR), (0, 0), 8)
    x, y = w * (PAD - 1) // 2, h * (PAD - 1) // 2
    canvas[y:y + h, x:x + w] = rgb
    return canvas, (x, y, w)


def auc(labels, scores):
    return roc_auc(labels, scores)  # fake = positive, scores are P(real)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--margins", default="1.3,1.35,1.4,1.5,1.6")
    parser.add_argument("--shifts", default="-0.1,-0.08,-0.05,0,0.05", help="vertical shifts, box heights")
    parser.add_argument("--kinds", default="grey,blurred")
    parser.add_argument("--limit", type=int, default=0, help="at most this many crops a set (quick runs)")
    parser.add_argument("--detect-again", action="store_true",
                        help="ignore the detections cached in results/ from the last run with these pictures")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    margins = [float(m) for m in args.margins.split(",")]
    shifts = [float(s) for s in args.shifts.split(",")]
    kinds = args.kinds.split(",")
    items = []  # (set, file, label, dev, rgb)
    for folder in SETS:
        rows = groups(folder)
        if args.limit:  # every k-th crop of each label
            step = max(1, len(rows) // args.limit)
            rows = [r for label in (0, 1) for r in [r for r in rows if r[1] == label][::step]]
        for file, label, group in rows:
            items.append((folder, file, label, is_dev(group), decode(DATASETS / folder / file)))
    pictures = {}
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for i, (_, _, _, _, rgb) in enumerate(items):
            for kind in kinds:
                canvas, where = padded(rgb, kind)
                name = f"{i}-{kind}.png"
                Image.fromarray(canvas).save(Path(folder) / name, compress_level=1)
                pictures[(i, kind)] = (canvas, where)
                names.append(name)
            Image.fromarray(rgb).save(Path(folder) / f"{i}-crop.png", compress_level=1)
            names.append(f"{i}-crop.png")
        cache = RESULTS_DIR / "crop_calibration_detections.json"
        key = {"files": [f"{it[0]}/{it[1]}" for it in items], "kinds": kinds}
        cached = json.loads(cache.read_text()) if cache.is_file() else {}
        if cached.get("key") == key and not args.detect_again:
            found = cached["found"]
        else:
            with detector_page(folder) as detect:
                found = dict(zip(names, detect(names)))
            RESULTS_DIR.mkdir(exist_ok=True)
            cache.write_text(json.dumps({"key": key, "found": found}))
        print(f"detections: {len(found)} pictures", flush=True)

    model = mesonet.load_source("meso4-df").model

    def score(inputs):
        return keras_scores(model, inputs, to_inputs=np.stack, batch_size=64).astype(np.float64)

    whole = score([nearest_input(rgb) for *_, rgb in items])
    lines, results = [], {"whole": whole.tolist()}
    # Geometry: where the crop is relative to the detector's box, per set and kind (dev half).
    geometry = []
    best = {}
    for i, (folder, _, _, dev, _) in enumerate(items):
        for kind in kinds:
            ds = [d for d in found[f"{i}-{kind}.png"] if d["score"] >= MIN_CONFIDENCE]
            canvas, (px, py, side) = pictures[(i, kind)]
            inside = [d for d in ds if px <= d["x"] + d["width"] / 2 <= px + side
                      and py <= d["y"] + d["height"] / 2 <= py + side]
            best[(i, kind)] = max(inside, key=lambda d: d["score"]) if inside else None
            d = best[(i, kind)]
            if d and dev:
                s = max(d["width"], d["height"])
                geometry.append((folder, kind, side / s, (px + side / 2 - d["x"] - d["width"] / 2) / d["width"],
                                 (py + side / 2 - d["y"] - d["height"] / 2) / d["height"]))
    rows = []
    for folder in SETS:
        for kind in kinds:
            g = np.array([r[2:] for r in geometry if r[0] == folder and r[1] == kind])
            if len(g):
                rows.append([folder, kind, len(g)] + [f"{np.median(g[:, k]):.3f} ({np.percentile(g[:, k], 25):.2f}"
                                                      f"-{np.percentile(g[:, k], 75):.2f})" for k in range(3)])
    lines += ["Geometry on the dev half: the training crop relative to the detector's box, median (quartiles)",
              markdown_table(["set", "around", "n", "crop side / box side", "centre x offset / box width",
                              "centre y offset / box height"], rows)]
    found_tight = {folder: np.mean([any(d["score"] >= 0.3 for d in found[f"{i}-crop.png"])
                                    for i, it in enumerate(items) if it[0] == folder]) for folder in SETS}
    lines += ["", "Crops themselves (tight: scored whole when a face scoring >= 0.3 is found): "
              + ", ".join(f"{k} {v * 100:.1f}% found" for k, v in found_tight.items())]

    table_rows = []
    for margin in margins:
        for shift in shifts:
            for kind in kinds:
                inputs, keys = [], []
                for i in range(len(items)):
                    d = best[(i, kind)]
                    if d is None:
                        continue
                    canvas = pictures[(i, kind)][0]
                    box = square_crop(d, canvas.shape[1], canvas.shape[0], margin, (0, shift))
                    inputs.append(nearest_input(canvas, box))
                    keys.append(i)
                scores = dict(zip(keys, score(inputs)))
                print(f"scored margin {margin} shift {shift} around {kind}", flush=True)
                for folder in SETS:
                    for half in ("dev", "held-out"):
                        idx = [i for i in keys if items[i][0] == folder and items[i][3] == (half == "dev")]
                        every = [i for i, it in enumerate(items) if it[0] == folder and it[3] == (half == "dev")]
                        labels = [items[i][2] for i in idx]
                        on = auc(labels, [scores[i] for i in idx])
                        off = auc(labels, [whole[i] for i in idx])
                        gap = np.mean([abs(scores[i] - whole[i]) for i in idx])
                        table_rows.append([folder, half, kind, margin, shift, f"{len(idx)}/{len(every)}",
                                           f"{on:.4f}", f"{off:.4f}", f"{on - off:+.4f}", f"{gap:.3f}"])
                        results.setdefault("rows", []).append(table_rows[-1])
    lines += ["", "MesoNet ROC AUC (fake = positive) with faces on (the detector's crop in the padded picture) "
              "against the same crops scored whole; |dP| = mean absolute change of P(real)",
              markdown_table(["set", "half", "around", "margin", "shift y", "found", "AUC faces on",
                              "AUC whole crop", "difference", "mean |dP|"], table_rows)]
    table = "\n".join(lines)
    path = write_results("crop_calibration", results, table)
    print(f"{table}\n\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
