"""metadata.json: written beside model.json by the exporter, read by the site
and the tests, so no model constant is repeated in JavaScript.

Every key of metadata.json is made here, by `build`, from the parts the export
gathers (the model's facts, the files written, the inference graph's
rewrites, a calibrated band, the parity report). `KEYS` lists them: the
contract between Python and the site.
"""
import datetime
import json
from importlib import metadata as pkg_metadata
from pathlib import Path

from convert.constants import (
    ARCHITECTURES,
    CUSTOM_ARCHITECTURE_NAME,
    DEFAULT_MODEL_ID,
    INPUT_CHANNELS,
    INPUT_SIZE,
    METADATA_FILE,
    METADATA_SCHEMA,
    MODEL_INDEX_FILE,
    OUTPUT_MEANING,
    PIXEL_SCALE,
    RESIZE_HALF_PIXEL_CENTERS,
    RESIZE_METHOD,
    THRESHOLDS,
)
from convert.errors import ConvertError
from convert.weights import sha256_of

VERSIONED_PACKAGES = ("tensorflow", "tf_keras", "tensorflowjs", "h5py", "numpy", "pillow")

# The keys of metadata.json, in the order written, and what each holds. The
# site reads these (its ModelMetadata typedef names the same keys);
# tests/convert/test_export.py holds an exported metadata.json to exactly this list.
KEYS = {
    "schema": "the version of this layout (constants.METADATA_SCHEMA)",
    "id": "the model's id: its folder in site/model/ and the page's ?model=",
    "name": "the name the page shows",
    "architecture": 'meso4, mesoinception4, or "custom" (exported with --not-mesonet)',
    "architecture_name": 'Meso-4, MesoInception-4, or "not MesoNet"',
    "mesonet": "false only for a model exported with --not-mesonet",
    "trained_on": "what a published model was trained on (null for a user's model)",
    "format": '"tfjs-layers-model"',
    "input": "the input contract: size, channels, color, scale, range, resize (method, half_pixel_centers)",
    "output": 'meaning ("p_real") and description of the sigmoid output',
    "thresholds": "the verdict band: fake_below, real_above (P(real))",
    "source": "the Keras file exported: file, sha256, url (published models)",
    "quantization": "none, float16 or uint8",
    "files": "sha256 of every file the site loads (model.json and its shards)",
    "versions": "versions of the libraries used to export",
    "parity": 'the Keras against TF.js figures measured at export ({"skipped": true} with --no-parity)',
    "exported_at": "UTC time of the export, ISO 8601",
    "thresholds_calibration": "where a calibrated band came from (only with --thresholds)",
    "pooled_before_norm": "batch norms the saved graph runs after their max pool (inference_graph.py)",
    "norms_as_conv": "batch norms the saved graph runs as 1x1 convolutions (inference_graph.py)",
    "gradcam_layer": "the trained model's last convolution, which Grad-CAM reads",
}
OPTIONAL_KEYS = frozenset({"thresholds_calibration"})


def library_versions():
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = pkg_metadata.version(name)
        except pkg_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build(*, model_dir, model_id, name, architecture, source, quantization, graph,
          source_url=None, trained_on=None, thresholds=None, calibration=None, parity=None):
    """metadata.json's content (KEYS) for the model converted into model_dir.

    source: the file or SavedModel folder exported; graph: the
    inference_graph.Rewrites of the saved graph; thresholds, calibration: the
    band and provenance from read_thresholds (None: the provisional band);
    parity: the parity report (None: not checked, or not yet: with_parity)."""
    meta = {
        "schema": METADATA_SCHEMA,
        "id": model_id,
        "name": name,
        "architecture": architecture,
        "architecture_name": ARCHITECTURES.get(architecture, CUSTOM_ARCHITECTURE_NAME),
        # false: exported with --not-mesonet; the page says so beside the model's name
        "mesonet": architecture in ARCHITECTURES,
        "trained_on": trained_on,
        "format": "tfjs-layers-model",
        "input": {
            "size": [INPUT_SIZE, INPUT_SIZE],
            "channels": INPUT_CHANNELS,
            "color": "RGB",
            "scale": PIXEL_SCALE,
            "range": [0.0, 1.0],
            "resize": {"method": RESIZE_METHOD, "half_pixel_centers": RESIZE_HALF_PIXEL_CENTERS},
        },
        "output": {
            "meaning": OUTPUT_MEANING,
            "description": "sigmoid output = probability that the face is real; "
                           "near 0 means manipulated",
        },
        "thresholds": dict(thresholds or THRESHOLDS),
        "source": {"file": Path(source).name, "sha256": sha256_of(source), "url": source_url},
        "quantization": quantization,
        "files": file_hashes(model_dir),
        "versions": library_versions(),
        "parity": {"skipped": True} if parity is None else parity,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if calibration is not None:
        meta["thresholds_calibration"] = calibration
    meta.update({"pooled_before_norm": graph.pooled_before_norm, "norms_as_conv": graph.norms_as_conv,
                 "gradcam_layer": graph.gradcam_layer})
    return meta


def with_parity(meta, report):
    """The same metadata, with the report of the parity check that just ran."""
    return {**meta, "parity": report}


def read_thresholds(path):
    """(thresholds, provenance) from a thresholds file written by evaluate.py --calibrate:
    {"fake_below": a, "real_above": b, ...where they were chosen}, 0 <= a <= b <= 1."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        band = {key: float(data[key]) for key in THRESHOLDS}
    except FileNotFoundError as exc:
        raise ConvertError(path, "thresholds file not found") from exc
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConvertError(path, "not a thresholds file: expected JSON with numbers "
                                 f"{' and '.join(THRESHOLDS)} ({exc.__class__.__name__})") from exc
    if not 0 <= band["fake_below"] <= band["real_above"] <= 1:
        raise ConvertError(path, f"thresholds must satisfy 0 <= fake_below <= real_above <= 1, "
                                 f"got {band}")
    provenance = {k: v for k, v in data.items() if k not in THRESHOLDS}
    return band, provenance


def file_hashes(model_dir):
    """sha256 of every file the site loads (model.json and its shards)."""
    model_dir = Path(model_dir)
    return {p.name: sha256_of(p) for p in sorted(model_dir.iterdir())
            if p.is_file() and p.name != METADATA_FILE}


def write(model_dir, data):
    Path(model_dir, METADATA_FILE).write_text(json.dumps(data, indent=2) + "\n")


def read(model_dir):
    return json.loads(Path(model_dir, METADATA_FILE).read_text())


def update_index(models_root):
    """Rewrite models_root/index.json listing every model folder in it."""
    models_root = Path(models_root)
    models = []
    for folder in sorted(p for p in models_root.iterdir() if p.is_dir()):
        meta_path = folder / METADATA_FILE
        if not meta_path.is_file() or folder.name.startswith("."):
            continue
        meta = json.loads(meta_path.read_text())
        models.append({"id": meta["id"], "name": meta["name"],
                       "architecture": meta["architecture"],
                       "mesonet": meta.get("mesonet", meta["architecture"] in ARCHITECTURES),
                       "path": f"{folder.name}/"})
    ids = [m["id"] for m in models]
    index = {"models": models,
             "default": DEFAULT_MODEL_ID if DEFAULT_MODEL_ID in ids else (ids[0] if ids else None)}
    (models_root / MODEL_INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n")
    return index
