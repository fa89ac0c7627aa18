"""A labelled folder: `real/` and `fake/` images, with an optional labels.csv.

Each image gets a video id (for per-video figures) and a group (what a split
must keep together: a video, or a fake and the real video it was made from):
- video: labels.csv `video_id` or `dfdc_video`, else `<video>` from a file
  named `<video>_<frame>.<ext>`, else none;
- group: labels.csv `original_video` (a fake's source), else the video, else
  the file itself.
Video ids are qualified by the label, so a real and a fake that share a
number stay two videos.
"""
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from convert.constants import LABELS
from convert.errors import ConvertError
from convert.preprocess import IMAGE_SUFFIXES

LABELS_CSV = "labels.csv"
FRAME_NAME = re.compile(r"^(?P<video>.+)_(?P<frame>\d+)$")


@dataclass(frozen=True)
class Item:
    path: Path
    label: str  # "real" or "fake"
    video: str | None
    group: str

    @property
    def y(self):
        """1 for fake (the positive class), 0 for real."""
        return int(self.label == "fake")


def _strip(name):
    return Path(name).stem if name else ""


def video_from_name(path):
    match = FRAME_NAME.match(Path(path).stem)
    return match.group("video") if match else None


def _read_labels(data_dir):
    csv_path = data_dir / LABELS_CSV
    if not csv_path.is_file():
        return {}
    with open(csv_path, newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}


def load_folder(data_dir):
    """Items of a labelled folder, sorted by label then file name."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ConvertError(data_dir, "not a folder")
    missing = [label for label in LABELS if not (data_dir / label).is_dir()]
    if missing:
        raise ConvertError(data_dir, f"no {' or '.join(f'{m}/' for m in missing)} subfolder "
                                     "(a labelled set has real/ and fake/)")
    rows = _read_labels(data_dir)
    items = []
    for label in LABELS:
        for path in sorted((data_dir / label).iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
                continue
            row = rows.get(f"{label}/{path.name}", {})
            video = (row.get("video_id") or _strip(row.get("dfdc_video"))
                     or video_from_name(path))
            video = f"{label}/{video}" if video else None
            group = _strip(row.get("original_video")) or _strip(row.get("dfdc_video")) \
                or video or f"{label}/{path.stem}"
            items.append(Item(path, label, video, group))
    for label in LABELS:
        if not any(item.label == label for item in items):
            raise ConvertError(data_dir / label, "holds no image")
    return items


def has_videos(items):
    """True when some video has more than one frame, so per-video figures mean something."""
    videos = [item.video for item in items]
    return None not in videos and len(set(videos)) < len(videos)
