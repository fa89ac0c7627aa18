"""Fine-tune a published MesoNet on a labelled real/ + fake/ folder.

    python convert/finetune.py ../shared/datasets/dfdc_faces224 --from meso4-df \\
        --out results/finetune/meso4-dfdc --also ../shared/datasets/mesonet_df_validation
    python convert/export_tfjs.py results/finetune/meso4-dfdc/model.h5 --out site/model/meso4-dfdc
    python convert/finetune.py ../shared/datasets/dfdc_faces224 --limit 200 --epochs 2  # a quick try

Split by group (a fake and the original video it was made from stay together;
otherwise one video), seeded: train / validation (early stopping) / test
(held out, scored before and after). Training crops are augmented (JPEG
re-compression, blur, flips, colour). Writes model.h5 (a full Keras model the
converter reads), split.json, history.json, curves.png and report.json with
before/after metrics on the test split and on every --also folder.
"""
import argparse
import io
import json
import sys
import time
import warnings
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image, ImageEnhance, ImageFilter  # noqa: E402

from convert import cli, dataset, metrics, plots  # noqa: E402
from convert.constants import (  # noqa: E402
    AUGMENT,
    DECISION_THRESHOLD,
    FINETUNE_BATCH,
    FINETUNE_EPOCHS,
    FINETUNE_FEW_IMAGES,
    FINETUNE_FREEZE_BATCH_NORM,
    FINETUNE_LEARNING_RATE,
    FINETUNE_PATIENCE,
    FINETUNE_SEED,
    FINETUNE_SPLIT,
    PUBLISHED_MODELS,
    REPO_ROOT,
)
from convert.errors import ConvertError  # noqa: E402
from convert.preprocess import decode, load_inputs, to_input  # noqa: E402
from convert.scoring import keras_scores  # noqa: E402

MODEL_FILE = "model.h5"
SPLITS = tuple(FINETUNE_SPLIT)


def augment(rgb, rng, params=AUGMENT):
    """A randomly altered copy of an RGB uint8 crop (pure given the generator)."""
    image = Image.fromarray(rgb)
    if rng.random() < params["flip"]:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    lo, hi = params["colour"]
    for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhance(image).enhance(rng.uniform(lo, hi))
    if rng.random() < params["blur"]:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(*params["blur_sigma"])))
    if rng.random() < params["jpeg"]:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=int(rng.integers(*params["jpeg_quality"])))
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return np.asarray(image, dtype=np.uint8)


def split_items(items, seed=FINETUNE_SEED):
    """{split name: [items]}, every group in exactly one split."""
    index = metrics.split_groups([i.group for i in items], [i.y for i in items],
                                 tuple(FINETUNE_SPLIT.values()), seed)
    return {name: [item for item, k in zip(items, index) if k == n] for n, name in enumerate(SPLITS)}


def limit_items(items, limit, seed=FINETUNE_SEED):
    """At most `limit` items, for a quick run: whole groups (a fake stays with
    its original), drawn in turn from each kind of group (real only, fake only,
    both) in a seeded order, so the sample keeps both labels."""
    if not limit or len(items) <= limit:
        return list(items)
    groups, kinds = {}, {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    for group, members in groups.items():
        kinds.setdefault(tuple(sorted({m.y for m in members})), []).append(group)
    rng = np.random.default_rng(seed)
    queues = [list(rng.permutation(sorted(kinds[kind]))) for kind in sorted(kinds)]
    kept, count = set(), 0
    while any(queues):
        for queue in queues:
            if queue:
                group = queue.pop(0)
                if count + len(groups[group]) <= limit:
                    kept.add(group)
                    count += len(groups[group])
    return [item for item in items if item.group in kept]


def split_warnings(splits, limit=None):
    """Warnings for held-out splits too small for their figures to mean much."""
    more = "use more data" + (" (a larger --limit)" if limit else "")
    notes = []
    for name in ("validation", "test"):
        its = splits[name]
        if len(its) < FINETUNE_FEW_IMAGES:
            use = "early stopping follows noise" if name == "validation" \
                else "its ROC AUC and accuracy are too noisy to tell a better model from chance"
            notes.append(f"the {name} split has only {len(its)} images "
                         f"({len({i.group for i in its})} groups): {use}; {more}")
    return notes


def summary_lines(report):
    """What the command prints: before/after figures and which weights were kept."""
    lines = []
    for name in report["before"]:
        b, a = report["before"][name], report["after"][name]
        lines.append(f"{name}: ROC AUC {b['roc_auc']:.3f} -> {a['roc_auc']:.3f}, "
                     f"accuracy {b['accuracy']:.3f} -> {a['accuracy']:.3f} ({b['count']} images)")
    lines.append(f"best epoch {report['best_epoch']} of {report['epochs_run']} -> {report['model']}")
    if report["best_epoch"] == 0:
        lines.append(f"  (epoch 0 is the starting point: no epoch lowered the validation loss below "
                     f"that of the weights it started from, {report['base']} "
                     f"({report['start_val_loss']:.4f}), so the saved model holds those weights "
                     "unchanged; try more data, another --lr or --freeze-batch-norm)")
    return lines


def _targets(items):
    """The model's target is P(real): 1 for real, 0 for fake."""
    return np.array([1.0 - item.y for item in items], dtype=np.float32)


def _figures(items, p_real):
    s = metrics.summary([i.y for i in items], p_real.astype(np.float64), DECISION_THRESHOLD)
    return {k: s[k] for k in ("count", "real", "fake", "roc_auc", "roc_auc_se", "eer", "accuracy",
                              "precision", "recall", "f1")}


def finetune(data_dir, out_dir, base="meso4-df", epochs=FINETUNE_EPOCHS,
             patience=FINETUNE_PATIENCE, batch_size=FINETUNE_BATCH,
             learning_rate=FINETUNE_LEARNING_RATE, seed=FINETUNE_SEED,
             freeze_bn=FINETUNE_FREEZE_BATCH_NORM,
             also=(), limit=None, log=lambda _: None):
    """Train, keep the epoch with the lowest validation loss, save and report.
    limit: use at most this many images of data_dir (limit_items)."""
    # late: loads TensorFlow, after --verbose is read (convert/cli.py)
    from convert import mesonet
    from convert.tfenv import keras, tf

    out_dir = Path(out_dir)
    items = limit_items(dataset.load_folder(data_dir), limit, seed)
    splits = split_items(items, seed)
    for name in SPLITS:
        if not splits[name] or len({i.y for i in splits[name]}) < 2:
            raise ConvertError(data_dir, f"too few videos for a {name} split with both classes "
                                         f"({len(items)} images" + (", raise --limit)" if limit else ")"))
    notes = split_warnings(splits, limit)
    for note in notes:
        log(f"warning: {note}")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(seed)
    model, arch, _, _ = mesonet.load_source(base, allow_other=True)
    if freeze_bn:  # keep the published batch-norm statistics
        for layer in model.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])

    train_rgb = [decode(i.path) for i in splits["train"]]
    y_train = _targets(splits["train"])
    x_val, y_val = load_inputs([i.path for i in splits["validation"]]), _targets(splits["validation"])
    x_test = load_inputs([i.path for i in splits["test"]])
    also_sets = [(Path(d), dataset.load_folder(d)) for d in also]

    def score_all():
        out = {"test": _figures(splits["test"], keras_scores(model, x_test))}
        for folder, its in also_sets:
            out[folder.name] = _figures(its, keras_scores(model, [i.path for i in its], to_inputs=load_inputs))
        return out

    log("scoring the published model on the test split and the --also sets")
    before = score_all()
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "val_auc": []}
    best, best_weights, waited, started = np.inf, model.get_weights(), 0, time.perf_counter()
    val_loss, val_acc = model.evaluate(x_val, y_val, batch_size=32, verbose=0)
    history_start = {"val_loss": float(val_loss), "val_accuracy": float(val_acc)}
    best = float(val_loss)
    for epoch in range(1, epochs + 1):
        x_train = np.stack([to_input(augment(rgb, rng)) for rgb in train_rgb]).astype(np.float32)
        fit = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        val_loss, val_acc = model.evaluate(x_val, y_val, batch_size=32, verbose=0)
        val_auc = metrics.roc_auc(1 - y_val.astype(int), keras_scores(model, x_val).astype(np.float64))
        for key, value in (("loss", fit.history["loss"][0]), ("accuracy", fit.history["accuracy"][0]),
                           ("val_loss", val_loss), ("val_accuracy", val_acc), ("val_auc", val_auc)):
            history[key].append(float(value))
        log(f"epoch {epoch}: loss {history['loss'][-1]:.4f}, val loss {val_loss:.4f}, "
            f"val acc {val_acc:.3f}, val AUC {val_auc:.3f}")
        if val_loss < best - 1e-4:
            best, best_weights, waited = float(val_loss), model.get_weights(), 0
        else:
            waited += 1
            if waited >= patience:
                log(f"early stop: no validation improvement in {patience} epochs")
                break
    model.set_weights(best_weights)
    best_epoch = int(np.argmin(history["val_loss"])) + 1 if best < history_start["val_loss"] else 0
    after = score_all()

    out_dir.mkdir(parents=True, exist_ok=True)
    for layer in model.layers:
        layer.trainable = True  # the saved model is a plain MesoNet
    with warnings.catch_warnings():  # Keras' notice that HDF5 is its legacy format
        warnings.simplefilter("ignore")
        model.save(out_dir / MODEL_FILE, include_optimizer=False)
    (out_dir / "split.json").write_text(json.dumps(
        {name: [f"{i.label}/{i.path.name}" for i in splits[name]] for name in SPLITS}, indent=1) + "\n")
    (out_dir / "history.json").write_text(json.dumps(history | {"before": history_start}, indent=1) + "\n")
    plots.training_curves(history, out_dir / "curves.png", f"fine-tuning {base}")
    report = {
        "base": str(base), "architecture": arch, "data": Path(data_dir).resolve().name,
        "seed": seed, "limit": limit, "epochs_run": len(history["loss"]), "best_epoch": best_epoch,
        "start_val_loss": history_start["val_loss"], "best_val_loss": best, "warnings": notes,
        "freeze_batch_norm": freeze_bn, "learning_rate": learning_rate, "batch_size": batch_size,
        "augmentation": AUGMENT, "seconds": round(time.perf_counter() - started, 1),
        "split": {name: {"images": len(splits[name]),
                         "groups": len({i.group for i in splits[name]})} for name in SPLITS},
        "before": before, "after": after, "model": str(out_dir / MODEL_FILE),
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def build_parser():
    parser = argparse.ArgumentParser(prog="finetune.py", description=__doc__.splitlines()[0],
                                     formatter_class=cli.DefaultsHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="folder with real/ and fake/ images")
    parser.add_argument("--from", dest="base", default="meso4-df",
                        help=f"published model ({', '.join(PUBLISHED_MODELS)}) or a saved Keras "
                             "model to start from")
    parser.add_argument("--out", type=Path,
                        help="output folder (results/finetune/<base>-<data> when not given)")
    parser.add_argument("--also", nargs="*", type=Path, default=[], metavar="DIR",
                        help="other labelled folders to score before and after")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="use at most N images of data_dir (whole groups, seeded), for a "
                             "quick run; all of them when not given")
    parser.add_argument("--epochs", type=int, default=FINETUNE_EPOCHS, help="most epochs to train")
    parser.add_argument("--patience", type=int, default=FINETUNE_PATIENCE,
                        help="stop after this many epochs without a lower validation loss")
    parser.add_argument("--batch", type=int, default=FINETUNE_BATCH, help="batch size")
    parser.add_argument("--lr", type=float, default=FINETUNE_LEARNING_RATE,
                        help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=FINETUNE_SEED,
                        help="seed of the split, the augmentation and the training")
    parser.add_argument("--freeze-batch-norm", dest="freeze_bn", action="store_true",
                        default=FINETUNE_FREEZE_BATCH_NORM,
                        help="keep the published batch-norm layers as they are (otherwise they "
                             "are trained too)")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    out = args.out or REPO_ROOT / "results" / "finetune" / f"{Path(args.base).stem}-{args.data_dir.name}"
    report = finetune(args.data_dir, out, base=args.base, epochs=args.epochs,
                      patience=args.patience, batch_size=args.batch, learning_rate=args.lr,
                      seed=args.seed, freeze_bn=args.freeze_bn, also=args.also, limit=args.limit,
                      log=cli.log)
    print("\n".join(summary_lines(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
