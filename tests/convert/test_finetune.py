"""finetune.py: augmentation, the split by original video, and a one-epoch run
on a handful of DFDC crops whose model.h5 goes straight through the converter."""
import csv
import json
import shutil

import numpy as np
import pytest

from conftest import DATASETS
from convert import dataset, finetune, mesonet
from convert.export import export

DFDC = DATASETS / "dfdc_faces224"


def test_augment_is_seeded_and_keeps_the_shape():
    rgb = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    a = finetune.augment(rgb, np.random.default_rng(1))
    b = finetune.augment(rgb, np.random.default_rng(1))
    c = finetune.augment(rgb, np.random.default_rng(2))
    assert a.shape == rgb.shape and a.dtype == np.uint8
    assert (a == b).all() and not (a == c).all()


@pytest.mark.datasets
def test_split_keeps_each_fake_with_its_original():
    items = dataset.load_folder(DFDC)
    splits = finetune.split_items(items)
    seen = {}
    for name, its in splits.items():
        for item in its:
            assert seen.setdefault(item.group, name) == name
    assert sum(len(v) for v in splits.values()) == len(items)
    assert abs(len(splits["test"]) / len(items) - 0.2) < 0.02
    assert finetune.split_items(items)["test"] == splits["test"]  # seeded


def tiny_pairs(tmp_path, pairs=5):
    """`pairs` DFDC fakes with their originals, and the matching labels.csv rows."""
    root = tmp_path / "dfdc"
    rows = [r for r in csv.DictReader(open(DFDC / "labels.csv")) if r["label"] == "fake"][:pairs]
    originals = {r["original_video"] for r in rows}
    everything = list(csv.DictReader(open(DFDC / "labels.csv")))
    keep = rows + [r for r in everything if r["label"] == "real" and r["dfdc_video"] in originals]
    for label in ("real", "fake"):
        (root / label).mkdir(parents=True)
    for row in keep:
        shutil.copy(DFDC / row["file"], root / row["file"])
    with open(root / "labels.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(keep[0]))
        writer.writeheader()
        writer.writerows(keep)
    return root


@pytest.mark.datasets
def test_one_epoch_then_export(tmp_path):
    out = tmp_path / "ft"
    assert finetune.main([str(tiny_pairs(tmp_path)), "--out", str(out), "--epochs", "1",
                          "--batch", "4"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["epochs_run"] == 1 and report["split"]["test"]["groups"] >= 1
    # a handful of images: the held-out figures are flagged as noise
    assert any(w.startswith(f"the test split has only {report['split']['test']['images']} images")
               for w in report["warnings"])
    assert set(report["before"]) == set(report["after"]) == {"test"}
    for name in ("model.h5", "curves.png", "split.json", "history.json"):
        assert (out / name).stat().st_size > 0
    model, arch = mesonet.load(out / "model.h5")
    assert arch == "meso4" and model.count_params() == 28_073
    meta = export(out / "model.h5", tmp_path / "site-model" / "tuned",
                  parity_images=(),
                  backends=("cpu",), log=lambda _: None)
    assert meta["parity"]["backends"]["cpu"]["passed"]


def test_help_shows_the_defaults_and_the_quick_run_limit():
    text = " ".join(finetune.build_parser().format_help().split())
    for shown in ("--epochs EPOCHS most epochs to train (default: 25)", "(default: meso4-df)",
                  "Adam learning rate (default: 0.001)", "--limit N use at most N images"):
        assert shown in text
    assert "(default: None)" not in text


def test_limit_takes_whole_groups_with_both_labels():
    items = dataset.load_folder(DFDC)
    small = finetune.limit_items(items, 60)
    assert 40 <= len(small) <= 60 and {i.label for i in small} == {"real", "fake"}
    for group in {i.group for i in small}:
        assert sum(i.group == group for i in small) == sum(i.group == group for i in items)
    assert finetune.limit_items(items, 60) == small  # seeded
    assert finetune.limit_items(items, None) == items


def test_best_epoch_zero_is_explained():
    figures = {"test": {"roc_auc": 0.6, "accuracy": 0.55, "count": 120}}
    report = {"before": figures, "after": figures, "best_epoch": 0, "epochs_run": 4,
              "model": "ft/model.h5", "base": "meso4-df", "start_val_loss": 0.6931}
    lines = finetune.summary_lines(report)
    assert lines[1] == "best epoch 0 of 4 -> ft/model.h5"
    assert "no epoch lowered the validation loss below that of the weights it started from, " \
           "meso4-df (0.6931), so the saved model holds those weights unchanged" in lines[2]
    report["best_epoch"] = 2
    assert len(finetune.summary_lines(report)) == 2
