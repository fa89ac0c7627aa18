"""Measure the published Meso-4 and write the model card (docs/model-card.md).

    python convert/model_card.py              # everything, a few minutes of CPU
    python convert/model_card.py --render     # only re-render the page from card.json

Runs evaluate.py's library on MesoNet validation (with band calibration) and
on the DFDC crops, scores MesoNet validation again under degradations
(JPEG re-compression, downscaling, blur), fine-tunes on the DFDC crops with
finetune.py, and draws the architecture. Every figure goes into
docs/assets/model-card/card.json, and the page is rendered from that file
alone, so no number on it is typed by hand. Per-image scores stay in
results/model-card/ (never committed).
"""
import argparse
import datetime
import functools
import io
import json
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from convert import architecture, cli, dataset, evaluate, finetune, metrics  # noqa: E402
from convert.constants import (  # noqa: E402
    ARCHITECTURES,
    DECISION_THRESHOLD,
    PUBLISHED_FIGURES,
    PUBLISHED_MODELS,
    REPO_ROOT,
    SHARED_DIR,
    THRESHOLDS,
    THRESHOLDS_FILE,
)
from convert.preprocess import decode, to_input  # noqa: E402
from convert.scoring import keras_scores  # noqa: E402

MODEL_ID = "meso4-df"
DOCS_PAGE = REPO_ROOT / "docs" / "model-card.md"
ASSETS = REPO_ROOT / "docs" / "assets" / "model-card"
CARD_JSON = ASSETS / "card.json"
WORK = REPO_ROOT / "results" / "model-card"
IN_DOMAIN = "mesonet_df_validation"
CROSS = "dfdc_faces224"
COMMAND = "python convert/model_card.py"
# Degradations of the in-domain crops, applied to the decoded image before the
# usual preprocessing: (id, description, function of an RGB uint8 array).
DEGRADATIONS = (
    ("jpeg50", "JPEG re-compressed at quality 50", lambda rgb: _jpeg(rgb, 50)),
    ("jpeg20", "JPEG re-compressed at quality 20", lambda rgb: _jpeg(rgb, 20)),
    ("down64", "downscaled to 64 px wide (then resized to 256 as usual)",
     lambda rgb: _downscale(rgb, 64)),
    ("down32", "downscaled to 32 px wide", lambda rgb: _downscale(rgb, 32)),
    ("blur2", "Gaussian blur, sigma 2 px", lambda rgb: _blur(rgb, 2.0)),
)


def _jpeg(rgb, quality):
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def _downscale(rgb, width):
    h, w = rgb.shape[:2]
    size = (width, max(1, round(h * width / w)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))


def _blur(rgb, sigma):
    return np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(sigma)))


# --- measuring (I/O) -------------------------------------------------------

def _degraded_inputs(rgbs, degrade):
    """Model inputs of decoded pictures, each degraded first."""
    return np.stack([to_input(degrade(rgb)) for rgb in rgbs])


def _keep(summary):
    keys = ("count", "real", "fake", "roc_auc", "roc_auc_se", "eer", "accuracy", "precision", "recall", "f1",
            "specificity", "confusion")
    return {k: summary[k] for k in keys if k in summary}


def measure(datasets_dir, finetune_run=True, log=print):
    ASSETS.mkdir(parents=True, exist_ok=True)
    card = {"generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": COMMAND, "model": MODEL_ID, "model_name": PUBLISHED_MODELS[MODEL_ID]["name"],
            "decision_threshold": DECISION_THRESHOLD, "provisional_thresholds": THRESHOLDS,
            "published": PUBLISHED_FIGURES,
            "datasets": {}}
    model, _ = evaluate.load_keras(MODEL_ID)
    for name, calibrate in ((IN_DOMAIN, True), (CROSS, False)):
        log(f"evaluating {MODEL_ID} on {name}")
        report, out = evaluate.run(Path(datasets_dir) / name, MODEL_ID, WORK / name,
                                   calibrate_band=calibrate)
        entry = {"images": _keep(report["images"])}
        if "videos" in report:
            entry["videos"] = _keep(report["videos"])
        if calibrate:
            entry["calibration"] = report["calibration"]
            shutil.copy(out / THRESHOLDS_FILE, ASSETS / f"thresholds-{MODEL_ID}.json")
        for plot in evaluate.PLOTS.values():
            shutil.copy(out / plot, ASSETS / f"{name}-{plot}")
        card["datasets"][name] = entry

    log("scoring degraded in-domain crops")
    items = dataset.load_folder(Path(datasets_dir) / IN_DOMAIN)
    y = np.array([i.y for i in items])
    decoded = [decode(i.path) for i in items]
    card["degradations"] = []
    for key, text, fn in DEGRADATIONS:
        scores = keras_scores(model, decoded, to_inputs=functools.partial(_degraded_inputs, degrade=fn))
        s = metrics.summary(y, scores, DECISION_THRESHOLD)
        card["degradations"].append({"id": key, "description": text,
                                     "roc_auc": s["roc_auc"], "accuracy": s["accuracy"],
                                     "recall": s["recall"], "specificity": s["specificity"]})

    log("drawing the architecture")
    rows, md, png = architecture.write("meso4", WORK / "architecture")
    shutil.copy(png, ASSETS / "architecture-meso4.png")
    card["architecture"] = {"name": ARCHITECTURES["meso4"], "table": md.read_text(),
                            "layers": len(rows), "params": sum(r["params"] for r in rows)}

    if finetune_run:
        log("fine-tuning on the DFDC crops")
        report = finetune.finetune(Path(datasets_dir) / CROSS, WORK / "finetune", base=MODEL_ID,
                                   also=[Path(datasets_dir) / IN_DOMAIN], log=log)
        shutil.copy(WORK / "finetune" / "curves.png", ASSETS / "finetune-curves.png")
        card["finetune"] = {k: report[k] for k in
                            ("base", "data", "seed", "epochs_run", "best_epoch", "freeze_batch_norm",
                             "learning_rate", "batch_size", "split", "before", "after")}
    CARD_JSON.write_text(json.dumps(card, indent=2) + "\n")
    return card


# --- rendering (pure) ------------------------------------------------------

def _f(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _pct(value):
    return "n/a" if value is None else f"{100 * value:.1f} %"


def _auc(s):
    return _f(s["roc_auc"]) + (f" ± {_f(s['roc_auc_se'])}" if s.get("roc_auc_se") is not None else "")


def _metrics_row(label, s):
    return (f"| {label} | {s['count']} ({s['real']} real, {s['fake']} fake) | {_auc(s)} | "
            f"{_f(s['eer'])} | {_f(s['accuracy'])} | {_f(s['precision'])} | {_f(s['recall'])} | "
            f"{_f(s['f1'])} |")


def render(card):
    """The model card page, from card.json alone."""
    ds = card["datasets"]
    ind, cross = ds[IN_DOMAIN], ds[CROSS]
    cal = ind["calibration"]
    t = cal["thresholds"]
    held = cal["held_out_split"]
    lines = [
        "# Model card: Meso-4 (Deepfake)",
        "",
        f"<!-- Generated by `{card['command']}` from docs/assets/model-card/card.json; "
        "do not edit by hand. -->",
        "",
        f"This page is generated: every figure on it was measured by `{card['command']}` "
        f"(last run {card['generated_at']}), which scores the labelled sets in "
        "`../shared/datasets/` with the project's own code and writes "
        "[card.json](assets/model-card/card.json). To reproduce it:",
        "",
        "```sh",
        card["command"],
        "```",
        "",
        "## The model",
        "",
        f"`{card['model']}`: {card['model_name']}. Meso-4 (Afchar, Nozick, Yamagishi, Echizen, "
        "*MesoNet: a Compact Facial Video Forgery Detection Network*, WIFS 2018) with the "
        "authors' published weights, unchanged, converted to TensorFlow.js. It takes one face "
        "crop, resized to 256×256 and scaled to [0, 1], and outputs P(real), the probability "
        "that the face is authentic.",
        "",
        "![Meso-4 layers](assets/model-card/architecture-meso4.png)",
        "",
        f"{card['architecture']['layers']} layers, {card['architecture']['params']:,} parameters, "
        "read from the built model (`python convert/architecture.py meso4`):",
        "",
        card["architecture"]["table"].rstrip(),
        "",
        "## Intended use",
        "",
        "- A first look at whether a face in a photo or a video frame shows signs of a "
        "face swap of the kind in the MesoNet Deepfake set (2018-era autoencoder swaps), "
        "running entirely in the browser.",
        "- Education: seeing what a small, early detector can and cannot do.",
        "- Not for: evidence, moderation or any decision about a person. A score is a "
        "statistical guess from texture at one scale; the cross-dataset figures below "
        "show how quickly it degrades on other manipulations.",
        "",
        "## Training data",
        "",
        "The weights are the authors': trained on their Deepfake set, face crops extracted "
        "from videos collected online, with a validation split of held-out videos. This "
        "project did not retrain the published model; the `mesonet_df_validation` crops "
        "below come from that validation split (in-domain), `dfdc_faces224` are crops from "
        "the Deepfake Detection Challenge (cross-dataset: other people, other face-swap "
        "methods, other compression).",
        "",
        "## Metrics",
        "",
        f"Fake is the positive class: precision and recall are those of calling a face fake, "
        f"and a face is called fake when P(real) < {card['decision_threshold']}. "
        "EER is the equal error rate (false-positive rate = false-negative rate). "
        "Per video, a video's score is the mean of its frames' scores.",
        "",
        "ROC AUC is given ± its standard error (Hanley and McNeil, 1982), a reminder of how "
        "few faces some of these sets hold.",
        "",
        "| set | faces | ROC AUC | EER | accuracy | precision | recall | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        _metrics_row(f"{IN_DOMAIN}, per image", ind["images"]),
    ]
    if "videos" in ind:
        lines.append(_metrics_row(f"{IN_DOMAIN}, per video", ind["videos"]).replace(
            " real, ", " real videos, ").replace(" fake) ", " fake videos) "))
    lines.append(_metrics_row(f"{CROSS}, per image", cross["images"]))
    lines += [""]
    for name in (IN_DOMAIN, CROSS):
        lines += [f"### {name}", "",
                  f"![ROC, {name}](assets/model-card/{name}-roc.png) "
                  f"![Confusion matrix, {name}](assets/model-card/{name}-confusion.png)", "",
                  f"![Scores, {name}](assets/model-card/{name}-histogram.png)", ""]
    lines += [
        "## Verdict bands (threshold calibration)",
        "",
        "The site shows three verdicts: likely manipulated (P(real) below `fake_below`), "
        "uncertain, likely real (above `real_above`). The band was chosen on half of the "
        f"`{IN_DOMAIN}` videos (seed {cal['seed']}) so that each verdict band holds at least "
        f"{_pct(cal['precision_target'])} of its own class, and reported on the other half:",
        "",
        f"- chosen: `fake_below` = {t['fake_below']}, `real_above` = {t['real_above']} "
        f"(provisional default: {card['provisional_thresholds']['fake_below']} and "
        f"{card['provisional_thresholds']['real_above']});",
        f"- on the held-out half ({held['count']} faces, {held['groups']} videos): "
        f"{_pct(held['coverage'])} of faces get a verdict; of those, "
        f"{_pct(held['accuracy_decided'])} are right; the \"manipulated\" band is "
        f"{_pct(held['fake_band_precision'])} fakes, the \"real\" band "
        f"{_pct(held['real_band_precision'])} reals.",
        "",
        "The converter writes these into the model's `metadata.json`:",
        "",
        "```sh",
        f"python convert/export_tfjs.py {card['model']} --thresholds "
        f"docs/assets/model-card/thresholds-{card['model']}.json",
        "```",
        "",
        f"On DFDC the band does not carry over: at P(real) < {card['decision_threshold']} only "
        f"{_pct(cross['images']['recall'])} of the DFDC fakes are caught (see the histogram "
        "above), so a \"likely real\" verdict means much less on such faces.",
        "",
        "## Robustness: the in-domain crops, degraded",
        "",
        f"The same {ind['images']['count']} `{IN_DOMAIN}` crops, altered before the usual "
        "preprocessing:",
        "",
        "| degradation | ROC AUC | accuracy | recall (fakes caught) | specificity (reals kept) |",
        "|---|---:|---:|---:|---:|",
        f"| none | {_f(ind['images']['roc_auc'])} | {_f(ind['images']['accuracy'])} | "
        f"{_f(ind['images']['recall'])} | {_f(ind['images']['specificity'])} |",
    ]
    for d in card["degradations"]:
        lines.append(f"| {d['description']} | {_f(d['roc_auc'])} | {_f(d['accuracy'])} | "
                     f"{_f(d['recall'])} | {_f(d['specificity'])} |")
    lines += [""]
    pub = card["published"]
    lines += [
        "## Published cross-dataset figures, next to ours",
        "",
        f"Quoted from {pub['source']} ([paper]({pub['url']})), not measured here; their "
        "Meso4 was trained on FaceForensics++ and scored per frame on each set's own "
        "test videos, so the protocol differs from ours.",
        "",
        "| set | ROC AUC | where from |",
        "|---|---:|---|",
    ]
    for name, value in pub["auc_percent"].items():
        lines.append(f"| {name} | {value / 100:.3f} | published |")
    lines += [f"| {IN_DOMAIN} (in-domain) | {_f(ind['images']['roc_auc'])} | measured here |",
              f"| {CROSS} | {_f(cross['images']['roc_auc'])} | measured here |", ""]
    if "finetune" in card:
        ft = card["finetune"]
        sp = ft["split"]
        lines += [
            "## Fine-tuning on DFDC crops",
            "",
            f"`python convert/finetune.py` from `{ft['base']}` on `{ft['data']}`, split by "
            f"original video (a fake and the real video it was made from stay together; seed "
            f"{ft['seed']}): {sp['train']['images']} training, {sp['validation']['images']} "
            f"validation (early stopping), {sp['test']['images']} test faces. Augmentation: "
            f"JPEG re-compression, blur, flips, colour; learning rate {ft['learning_rate']}, "
            f"batch {ft['batch_size']}, batch-norm "
            f"{'frozen' if ft['freeze_batch_norm'] else 'trained'}; best epoch "
            f"{ft['best_epoch']} of {ft['epochs_run']}.",
            "",
            "| scored on | faces | ROC AUC before | after | accuracy before | after |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, before in ft["before"].items():
            after = ft["after"][name]
            label = f"{ft['data']} test split" if name == "test" else name
            lines.append(f"| {label} | {before['count']} | {_auc(before)} | "
                         f"{_auc(after)} | {_f(before['accuracy'])} | "
                         f"{_f(after['accuracy'])} |")
        lines += ["", "![Fine-tuning curves](assets/model-card/finetune-curves.png)", "",
                  "A few hundred training crops move the DFDC test figures by about the size "
                  "of their standard error, and cost in-domain accuracy: the site keeps the "
                  "published model. The fine-tuned `model.h5` converts like any other "
                  "(`python convert/export_tfjs.py results/model-card/finetune/model.h5`).", ""]
    lines += [
        "## Known failure modes",
        "",
        "- **Images without a face, or with a face that is not the main content.** The model "
        "scores any 256×256 input; on a landscape or a document the output means nothing. The "
        "site's face detector is the guard; with `?faces=off` there is none.",
        "- **GAN-made faces** (a whole synthetic face, e.g. StyleGAN portraits) and newer "
        "swap methods: not what it was trained on. The DFDC row above, and the published "
        "Celeb-DF figure, show how close to chance it gets outside its training distribution.",
        "- **Heavy compression and low resolution.** MesoNet looks at mesoscopic texture, "
        "which compression, blur and the upscaling of small faces wash out. The robustness "
        "table above measures what each costs on the in-domain crops; those crops are "
        "already JPEG files, so re-compressing them understates what compressing a clean "
        "source (or a low-bitrate video) does.",
        "- **Profile and tilted faces, occlusions.** The training crops are mostly frontal, "
        "aligned faces; crops that differ are outside what it saw.",
        "- **Frames of one video are correlated.** Per-image figures over many frames of few "
        "videos overstate how well it separates people; the per-video row counts each "
        "video once.",
        "",
    ]
    return "\n".join(lines)


def write_page(card, page=DOCS_PAGE):
    page.write_text(render(card))
    return page


def build_parser():
    parser = argparse.ArgumentParser(prog="model_card.py", description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=SHARED_DIR / "datasets",
                        help="folder holding mesonet_df_validation/ and dfdc_faces224/")
    parser.add_argument("--render", action="store_true",
                        help=f"only re-render the page from {CARD_JSON.relative_to(REPO_ROOT)}")
    parser.add_argument("--no-finetune", dest="finetune", action="store_false",
                        help="skip the fine-tuning run (and its section)")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    if args.render:
        card = json.loads(CARD_JSON.read_text())
    else:
        card = measure(args.datasets, finetune_run=args.finetune, log=cli.log)
    page = write_page(card)
    print(f"wrote {page.relative_to(REPO_ROOT)} and {ASSETS.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
