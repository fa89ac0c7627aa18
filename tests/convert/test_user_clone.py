"""What a user's clone has: the repository, the published weights in a folder
($MESONET_WEIGHTS_DIR) or the download cache, and no ../shared beside it. The
converter must still export with its parity check, on the images the
repository carries."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from convert.constants import SHARED_DIR, TEST_IMAGES_DIR


def make_clone(where):
    """A copy of what the converter reads (convert/, data/, the site's code),
    in a folder with no `shared` beside it."""
    clone = where / "clone"
    assert not (where / "shared").exists()
    skip = shutil.ignore_patterns("__pycache__", "model", "precache-manifest.js")
    for part in ("convert", "data", "site"):
        shutil.copytree(ROOT / part, clone / part, ignore=skip)
    return clone


def test_export_with_parity_on_a_clone_without_shared(tmp_path):
    clone = make_clone(tmp_path)
    out = tmp_path / "exported" / "meso4-df"
    result = subprocess.run(
        [sys.executable, str(clone / "convert" / "export_tfjs.py"), "meso4-df", "--out", str(out),
         "--backends", "cpu", "wasm"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert str(SHARED_DIR) not in result.stderr
    assert "4 from data/mesonet-test-images (in the repository)" in result.stderr
    meta = json.loads((out / "metadata.json").read_text())
    (source,) = meta["parity"]["image_sources"]
    assert source["images"] == 4 and sorted(source["files"]) == sorted(
        p.name for p in TEST_IMAGES_DIR.rglob("*.jpg"))
    assert meta["parity"]["random_inputs"] > 0 and meta["parity"]["synthetic_inputs"]
    for backend in ("cpu", "wasm"):
        row = meta["parity"]["backends"][backend]
        assert row["available"] and row["passed"], row
        assert "parity: " + backend in result.stderr


def test_repository_carries_the_test_images_with_their_licence():
    """The four MesoNet test images (Apache-2.0) are the only third-party media
    in the repository, and travel with their LICENSE and NOTICE; the built
    models and vendored code are never tracked."""
    names = sorted(p.relative_to(TEST_IMAGES_DIR).as_posix() for p in TEST_IMAGES_DIR.rglob("*")
                   if p.is_file())
    assert names == ["LICENSE", "NOTICE", "README.md", "df/df00204.jpg", "df/df01254.jpg",
                     "real/real00240.jpg", "real/real00772.jpg"]
    assert "Apache License" in (TEST_IMAGES_DIR / "LICENSE").read_text()
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: which files the repository tracks cannot be listed")
    tracked = subprocess.run(["git", "ls-files", "*.jpg", "*.png", "*.mp4", "*.webm", "*.h5", "*.bin"],
                             capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    media = [t for t in tracked if not t.startswith(("docs/assets/model-card/", "site/icons/"))]
    assert sorted(media) == ["data/mesonet-test-images/" + n for n in names if n.endswith(".jpg")]
    # the build output holds third-party weights and code: never tracked
    built = subprocess.run(["git", "ls-files", "site/model", "site/vendor", "bench/lighthouse/node_modules"],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    assert built == ["site/model/README.md"]
