"""metadata.json: written beside model.json by the exporter, read by the site
and the tests, so no model constant is repeated in JavaScript."""
import datetime
import json
from importlib import metadata as pkg_metadata
from pathlib import Path

from convert.constants import (ARCHITECTURES, CUSTOM_ARCHITECTURE_NAME, DEFAULT_MODEL_ID,
                               INPUT_CHANNELS, INPUT_SIZE, METADATA_FILE, METADATA_SCHEMA,
                               MODEL_INDEX_FILE, OUTPUT_MEANING, PIXEL_SCALE,
                               RESIZE_HALF_PIXEL_CENTERS, RESIZE_METHOD, THRESHOLDS)
from convert.errors import ConvertError
from convert.weights import sha256_of

VERSIONED_PACKAGES = ("tensorflow", "tf_keras", "tensorflowjs", "h5py", "numpy", "pillow")


def library_versions():
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = pkg_metadata.version(name)
        except pkg_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build(*, model_id, name, architecture, source, quantization, files, parity,
          thresholds=None, trained_on=None):
    return {
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
        "source": source,
        "quantization": quantization,
        "files": files,
        "versions": library_versions(),
        "parity": parity,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


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
