"""evaluate.py: labelled folders, the metrics JSON, plots, calibration and errors,
on a small labelled set made from the repository's test images (fast: the
whole file runs in seconds), and the reference figures on the labelled data."""
import csv
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import roc_auc_score

from conftest import DATASETS, FIXTURES, ROOT
from convert import dataset, evaluate
from convert.errors import ConvertError
from convert.preprocess import load_inputs
from convert.scoring import keras_scores

MESONET = DATASETS / "mesonet_df_validation"
DFDC = DATASETS / "dfdc_faces224"


def small_set(tmp_path, per_video=3, videos=2, with_csv=False):
    """A labelled folder with `videos` "videos" per class (the repository's
    test images of that class), `per_video` "frames" each (the image shifted
    by a few pixels), named `<video>_<frame>.jpg` as MesoNet's validation set."""
    root = tmp_path / "set"
    rows = ["file,label,video_id"]
    for label, folder in (("real", "real"), ("fake", "df")):
        (root / label).mkdir(parents=True)
        for source in sorted((FIXTURES / folder).glob("*.jpg"))[:videos]:
            image = Image.open(source).convert("RGB")
            for frame in range(per_video):
                shifted = image.crop((frame * 3, frame * 2, image.width, image.height))
                name = f"{source.stem}_{frame:04d}.jpg"
                shifted.save(root / label / name, quality=95)
                rows.append(f"{label}/{name},{label},{source.stem}")
    if with_csv:
        (root / "labels.csv").write_text("\n".join(rows) + "\n")
    return root


def test_video_ids_from_file_names_without_labels_csv(tmp_path):
    items = dataset.load_folder(small_set(tmp_path))
    assert len(items) == 12 and dataset.has_videos(items)
    assert {i.video for i in items if i.label == "real"} == {i.group for i in items if i.label == "real"}
    assert all(i.video.startswith(i.label + "/") for i in items)


@pytest.mark.datasets
def test_dfdc_fake_shares_its_group_with_its_original():
    items = dataset.load_folder(DFDC)
    rows = {r["file"]: r for r in csv.DictReader(open(DFDC / "labels.csv"))}
    by_name = {f"{i.label}/{i.path.name}": i for i in items}
    fake = next(name for name in rows if name.startswith("fake/"))
    original = "real/" + rows[fake]["original_video"].replace(".mp4", ".jpg")
    assert by_name[fake].group == by_name[original].group
    assert not dataset.has_videos(items)  # one crop per video: no per-video figures


def test_cli_writes_metrics_scores_and_plots(tmp_path):
    data = small_set(tmp_path, with_csv=True)
    out = tmp_path / "out"
    assert evaluate.main([str(data), "--model", "meso4-df", "--out", str(out), "--calibrate"]) == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["positive_class"] == "fake" and report["images"]["count"] == 12
    assert report["videos"]["count"] == 4
    for name in ("roc.png", "confusion.png", "histogram.png", "scores.csv", "thresholds.json"):
        assert (out / name).stat().st_size > 0
    with open(out / "scores.csv") as handle:
        rows = list(csv.DictReader(handle))
    y = [int(r["label"] == "fake") for r in rows]
    p = [float(r["p_real"]) for r in rows]
    assert report["images"]["roc_auc"] == pytest.approx(roc_auc_score(y, 1 - np.array(p)), abs=1e-6)
    c = report["images"]["confusion"]
    assert c["tp"] == sum(1 for yy, pp in zip(y, p) if yy and pp < 0.5)
    thresholds = json.loads((out / "thresholds.json").read_text())
    assert 0 <= thresholds["fake_below"] <= thresholds["real_above"] <= 1
    assert thresholds["calibrated_on"] == "set"
    cal = report["calibration"]
    assert cal["calibration_split"]["count"] + cal["held_out_split"]["count"] == 12


@pytest.mark.datasets
def test_keras_scores_match_the_reference_figure_on_a_subset():
    """An even 96-image subset of MesoNet validation: the in-domain model separates it."""
    items = evaluate._even_subset(dataset.load_folder(MESONET), 96)
    model, _ = evaluate.load_keras("meso4-df")
    p = keras_scores(model, [i.path for i in items], to_inputs=load_inputs).astype(np.float64)
    report = evaluate.evaluate(items, p)
    assert report["images"]["roc_auc"] > 0.9 and report["images"]["accuracy"] > 0.8


@pytest.mark.parametrize("layout, message", [
    ("no-fake", "no fake/ subfolder"),
    ("empty-real", "holds no image"),
])
def test_bad_folders_are_named(tmp_path, layout, message):
    (tmp_path / "real").mkdir()
    if layout == "empty-real":
        (tmp_path / "fake").mkdir()
        shutil.copy(next(FIXTURES.glob("df/*.jpg")), tmp_path / "fake")
    with pytest.raises(ConvertError, match=message):
        dataset.load_folder(tmp_path)


def test_cli_error_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "convert" / "evaluate.py"), str(tmp_path),
                             "--model", "meso4-df"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: no real/ or fake/ subfolder "
                                                  "(a labelled set has real/ and fake/)"]


def test_browser_needs_an_exported_folder(tmp_path):
    with pytest.raises(ConvertError, match="exported TF.js model folder"):
        evaluate.run(small_set(tmp_path), "meso4-df", browser=True)
