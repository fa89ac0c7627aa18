"""Where an export may write, decided before any work, and how it gets there.

An export never loses a user's files. `--out DIR` is written when it is new,
empty, or a previous export (metadata.json of our schema, model.json, and
only the files that metadata lists): then the new export replaces it as one
rename. Any other folder (the training folder holding the source model, a
folder with notes in it) is refused, unless --force: then the model's files
are written alongside what is there, replacing only files of the same names
and the previous export's own files; nothing else is touched, and never the
source.
"""
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from convert.constants import METADATA_FILE, METADATA_SCHEMA, MODEL_JSON
from convert.errors import ConvertError

# Files an export writes last, so a folder read while files are being moved in
# never lists a model.json whose shards are not there yet.
WRITE_LAST = (MODEL_JSON, METADATA_FILE)
SHOWN_FILES = 3


@dataclass(frozen=True)
class Plan:
    """mode: "new" (DIR is missing or empty), "replace" (DIR is a previous
    export, swapped atomically) or "alongside" (--force: files moved in one by
    one). old_files: the previous export's files in DIR, which the new export
    replaces."""
    out_dir: Path
    mode: str
    old_files: frozenset = frozenset()


def export_files(folder):
    """The files of a previous export in folder, or None when it holds none:
    metadata.json of our schema naming its files, and model.json."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / METADATA_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("schema") != METADATA_SCHEMA \
            or not isinstance(meta.get("files"), dict) or not (folder / MODEL_JSON).is_file():
        return None
    return frozenset(meta["files"]) | {METADATA_FILE}


def _listing(names):
    names = sorted(names)
    shown = ", ".join(names[:SHOWN_FILES])
    return shown + (f" and {len(names) - SHOWN_FILES} more" if len(names) > SHOWN_FILES else "")


def _check_writable(out_dir):
    """Raise when out_dir cannot be made: a file on its path, or no write access."""
    for parent in reversed(out_dir.parents):
        if parent.exists() and not parent.is_dir():
            raise ConvertError(out_dir, f"cannot write the output folder: {parent} is a file")
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConvertError(out_dir, f"cannot write the output folder: {existing} is not writable")
    if existing == out_dir and not os.access(out_dir.parent, os.W_OK | os.X_OK):
        raise ConvertError(out_dir, f"cannot write the output folder: {out_dir.parent} "
                                    "is not writable")


def plan(out_dir, source=None, force=False):
    """How an export into out_dir will be written; raises ConvertError, before
    any work is done, when it would lose files or cannot write there.
    source: the path of the model being exported, or None (a published model)."""
    out_dir = Path(os.path.abspath(out_dir))
    if out_dir.exists() and not out_dir.is_dir():
        raise ConvertError(out_dir, "is a file, not a folder: --out names the folder the "
                                    "model's files are written into")
    _check_writable(out_dir)
    if not out_dir.exists():
        return Plan(out_dir, "new")
    present = {p.name for p in out_dir.iterdir()}
    if not present:
        return Plan(out_dir, "new")
    previous = export_files(out_dir) or frozenset()
    others = present - previous
    source = Path(source) if source is not None else None
    holds_source = source is not None and source.resolve().parent == out_dir.resolve()
    if not others and not holds_source:
        return Plan(out_dir, "replace", previous)
    if not force:
        what = (f"holds the source {source.name}" + (f" and {_listing(others - {source.name})}"
                                                      if others - {source.name} else "")
                if holds_source else f"holds other files ({_listing(others)})")
        raise ConvertError(out_dir, f"{what}, which an export would replace; nothing was "
                                    f"written. Choose a new or empty folder (e.g. "
                                    f"{out_dir / 'tfjs'}), or pass --force to write the model's "
                                    "files alongside them")
    return Plan(out_dir, "alongside", previous)


def place(work, plan_):
    """Move the finished export in work into place as planned; work is left empty
    or gone. Raises ConvertError if the folder changed since it was planned."""
    out_dir = plan_.out_dir
    if plan_.mode == "alongside":
        _move_alongside(work, plan_)
        return
    if out_dir.exists():
        present = {p.name for p in out_dir.iterdir()}
        if present and present != export_files(out_dir):
            raise ConvertError(out_dir, "other files appeared in the folder during the export; "
                                        "nothing was written")
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
        work.rename(out_dir)
        shutil.rmtree(old)
    else:
        work.rename(out_dir)


def _move_alongside(work, plan_):
    """--force: each file replaced on its own (os.replace is atomic per file),
    the shards first and metadata.json last; the previous export's files that
    the new one does not have are removed. Nothing else in the folder changes."""
    out_dir = plan_.out_dir
    new = sorted((p.name for p in work.iterdir()),
                 key=lambda name: (WRITE_LAST.index(name) + 1 if name in WRITE_LAST else 0, name))
    for name in new:
        os.replace(work / name, out_dir / name)
    for name in sorted(plan_.old_files - set(new)):
        (out_dir / name).unlink(missing_ok=True)


def protect_source(plan_, source, names):
    """--force never overwrites the model being exported."""
    if plan_.mode != "alongside" or source is None:
        return
    source = Path(source)
    if source.resolve().parent == plan_.out_dir.resolve() and source.name in set(names) | plan_.old_files:
        raise ConvertError(plan_.out_dir, f"the export would overwrite its source {source.name}; "
                                          "choose another --out")
