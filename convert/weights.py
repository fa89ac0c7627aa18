"""Published MesoNet weights: pinned address, sha256 check, cache and offline
mirror; and what a model source names (a published model or a saved file)."""
import difflib
import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from convert.constants import (
    CACHE_DIR_ENV,
    DEFAULT_CACHE_DIR,
    PUBLISHED_MODELS,
    WEIGHTS_COMMIT,
    WEIGHTS_DIR_ENV,
    WEIGHTS_URL,
)
from convert.errors import ConvertError


def sha256_of(path):
    """sha256 of a file; of a folder (a SavedModel), the sha256 of its
    `sha256sum` listing: one "<sha256>  <relative path>" line per file, sorted."""
    if os.path.isdir(path):
        root = Path(path)
        listing = "".join(f"{sha256_of(p)}  {p.relative_to(root).as_posix()}\n"
                          for p in sorted(root.rglob("*")) if p.is_file())
        return hashlib.sha256(listing.encode()).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_hash(path, expected, name=None):
    actual = sha256_of(path)
    if actual != expected:
        raise ConvertError(name or path, f"sha256 {actual} does not match the pinned {expected}")


def weights_url(model_id):
    return WEIGHTS_URL.format(commit=WEIGHTS_COMMIT, file=PUBLISHED_MODELS[model_id]["file"])


def cache_dir():
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR) / "weights" / WEIGHTS_COMMIT


def resolve(model_id):
    """Return a local, hash-checked path to a published model's weights.

    Order: the mirror directory named by $MESONET_WEIGHTS_DIR (no network),
    then the user cache, then a download from the pinned commit into the cache.
    """
    entry = PUBLISHED_MODELS[model_id]
    mirror = os.environ.get(WEIGHTS_DIR_ENV)
    if mirror:
        path = Path(mirror) / entry["file"]
        if not path.is_file():
            raise ConvertError(path, f"not found in the weights mirror ${WEIGHTS_DIR_ENV}")
        check_hash(path, entry["sha256"])
        return path
    path = cache_dir() / entry["file"]
    if path.is_file() and sha256_of(path) == entry["sha256"]:
        return path
    _download(weights_url(model_id), path, entry["sha256"])
    return path


def _download(url, path, sha256):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, out)
        check_hash(tmp, sha256, name=url)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConvertError(url, f"download failed ({exc}); set ${WEIGHTS_DIR_ENV} to a "
                                "directory holding the weight files to work offline") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def resolve_source(source):
    """(path, facts) for a published model name or a path to what Keras saved.
    A path that does not exist is an error that names the closest published
    model, so a mistyped name (meso4_df) leads to the right one."""
    if source in PUBLISHED_MODELS:
        entry = PUBLISHED_MODELS[source]
        path = resolve(source)
        return path, {"id": source, "name": entry["name"], "architecture": entry["architecture"],
                      "trained_on": entry["trained_on"], "url": weights_url(source)}
    path = Path(source)
    if not path.exists():
        close = difflib.get_close_matches(str(source).lower(), PUBLISHED_MODELS, n=1, cutoff=0.6)
        hint = f"; did you mean the published model {close[0]}?" if close else ""
        raise ConvertError(path, f"file not found, and not a published model name{hint} "
                                 f"(published: {', '.join(PUBLISHED_MODELS)})")
    return path, {}
