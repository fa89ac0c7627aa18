"""Keras MesoNet -> TF.js layers model + metadata.json, with a parity proof.

Where the output may go is decided first (convert/destination.py: a user's
files are never replaced). The output is built in a temporary folder beside
the destination and moved into place only when everything (conversion,
parity, metadata) succeeded.
"""
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

from convert import destination, inference_graph, mesonet, metadata, parity, scoring
from convert.constants import (
    ARCHITECTURES,
    CUSTOM_ARCHITECTURE,
    MODEL_INDEX_FILE,
    PARITY_BACKENDS,
    PARITY_SYNTHETIC_INPUTS,
    PARITY_TOLERANCE,
    PUBLISHED_MODELS,
    SITE_MODEL_DIR,
)
from convert.errors import ConvertError
from convert.tfenv import tensorflowjs

SHARD_BYTES = 4 * 1024 * 1024


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


def _quantization_map(quantize):
    return None if quantize == "none" else {quantize: True}


def _make_workdir(out_dir):
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        work.chmod(0o755)  # mkdtemp makes it private; the site is served to others
        return work
    except OSError as exc:
        raise ConvertError(out_dir, f"cannot write the output folder ({exc.strerror or exc})") from exc


def run_parity(model, model_dir, quantize, groups, backends, log):
    """Keras against TF.js on every backend; groups: [(where, image paths)]
    from parity.parity_images. The report says which images were used."""
    images = [path for _, paths in groups for path in paths]
    inputs, names = parity.parity_inputs(images, synthetic=PARITY_SYNTHETIC_INPUTS)
    randoms = len(names) - len(images) - len(PARITY_SYNTHETIC_INPUTS)
    used = " + ".join(f"{len(paths)} from {where}" for where, paths in groups)
    log(f"parity: scoring {len(images)} images ({used}) + {randoms} random + "
        f"{len(PARITY_SYNTHETIC_INPUTS)} synthetic inputs with Keras and TF.js ({', '.join(backends)})")
    reference = scoring.keras_scores(model, inputs)
    by_backend = parity.browser_scores(model_dir, inputs, backends)
    report = parity.compare(reference, by_backend, names, PARITY_TOLERANCE[quantize])
    for backend, row in report.items():
        if row["available"]:
            threads = f" ({row['threads']} threads)" if row["threads"] > 1 else ""
            log(f"parity: {backend:5s}{threads} max |dP(real)| {row['max_abs_diff']:.2e} "
                f"(tolerance {row['tolerance']:.0e}) {'ok' if row['passed'] else 'FAILED'}")
        else:
            log(f"parity: {backend:5s} not available in this browser ({row['reason']})")
    return {"images": len(images),
            "image_sources": [{"from": where, "images": len(paths),
                               "files": [Path(p).name for p in paths]} for where, paths in groups],
            "random_inputs": randoms, "synthetic_inputs": list(PARITY_SYNTHETIC_INPUTS),
            "backends": report}


# What to try when quantised weights miss the parity tolerance.
QUANTIZATION_HINTS = {
    "uint8": "; uint8 rounds this model's weights too coarsely: try --quantize float16 "
             "(half the size of float32, within 2 points of P(real) for every published model)",
    "float16": "; float16 rounds this model's weights too coarsely: export without --quantize",
}


def _raise_on_parity_failure(path, report, quantize="none"):
    """CPU and WASM must run and pass; WebGL must pass where the browser has it."""
    missed = [f"{b} (max |dP(real)| {r['max_abs_diff']:.2e} > {r['tolerance']:.0e})"
              for b, r in report.items() if r["available"] and not r["passed"]]
    failed = missed + [f"{b} (backend did not start: {report[b]['reason']})"
                       for b in ("cpu", "wasm") if b in report and not report[b]["available"]]
    if failed:
        hint = QUANTIZATION_HINTS.get(quantize, "") if missed else ""
        raise ConvertError(path, "parity check failed on " + ", ".join(failed) + hint)


def export(source, out_dir, *, architecture=None, quantize="none", model_id=None, name=None,
           check_parity=True, parity_images=None, backends=PARITY_BACKENDS, log=print,
           thresholds_file=None, force=False, not_mesonet=False):
    """Convert source into out_dir; returns the metadata written. Raises ConvertError.

    thresholds_file: a calibrated band from evaluate.py --calibrate; without it
    the metadata carries constants.THRESHOLDS. force: write into a folder that
    holds other files, beside them (convert/destination.py). not_mesonet: the
    source is a network other than MesoNet (a tf_keras file), exported as
    architecture "custom" and marked so in its metadata; without it such a
    network is refused."""
    out_dir = Path(out_dir)
    # what can be checked without loading the model is, so a mistake fails at once:
    # where the output goes, the thresholds file, the parity images
    where = destination.plan(out_dir, None if source in PUBLISHED_MODELS else source, force)
    band, calibration = metadata.read_thresholds(thresholds_file) if thresholds_file \
        else (None, None)
    groups = parity.parity_images(parity_images) if check_parity else None
    model, arch, path, facts = mesonet.load_source(source, architecture, allow_other=not_mesonet)
    if not_mesonet and arch != CUSTOM_ARCHITECTURE:
        raise ConvertError(path, f"is a {ARCHITECTURES[arch]}, a MesoNet: drop --not-mesonet")
    served, rewrites = inference_graph.serving_graph(model)
    model_id = model_id or facts.get("id") or _slug(out_dir.name)
    work = _make_workdir(out_dir)
    try:
        tfjs = tensorflowjs()
        with warnings.catch_warnings():  # the converter's own HDF5 legacy-format notice
            warnings.simplefilter("ignore")
            tfjs.converters.save_keras_model(
                served, str(work), quantization_dtype_map=_quantization_map(quantize),
                weight_shard_size_bytes=SHARD_BYTES)
        meta = metadata.build(
            model_dir=work, model_id=model_id, name=name or facts.get("name") or model_id,
            architecture=arch, source=path, source_url=facts.get("url"), quantization=quantize,
            graph=rewrites, trained_on=facts.get("trained_on"), thresholds=band,
            calibration=calibration)
        metadata.write(work, meta)  # the site's loader reads it during the parity check
        if check_parity:
            # against the model as trained, not the rewritten one it was saved as
            report = run_parity(model, work, quantize, groups, backends, log)
            _raise_on_parity_failure(path, report["backends"], quantize)
            meta = metadata.with_parity(meta, report)
            metadata.write(work, meta)
        destination.protect_source(where, path, os.listdir(work))
        destination.place(work, where)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    root = out_dir.parent
    if root.resolve() == SITE_MODEL_DIR.resolve() or (root / MODEL_INDEX_FILE).exists():
        metadata.update_index(root)
    return meta
