"""Calibrated thresholds reach metadata.json: evaluate.py --calibrate writes
thresholds.json, export_tfjs.py --thresholds reads it; constants stay the fallback."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from convert import metadata
from convert.constants import THRESHOLDS
from convert.errors import ConvertError
from convert.export import export


def test_exporter_writes_the_calibrated_band(tmp_path):
    band = tmp_path / "thresholds.json"
    band.write_text(json.dumps({"fake_below": 0.42, "real_above": 0.9,
                                "calibrated_on": "toy", "precision_target": 0.95}))
    meta = export("meso4-df", tmp_path / "m", check_parity=False, log=lambda _: None,
                  thresholds_file=band)
    assert meta["thresholds"] == {"fake_below": 0.42, "real_above": 0.9}
    assert meta["thresholds_calibration"]["calibrated_on"] == "toy"
    assert metadata.read(tmp_path / "m")["thresholds"] == meta["thresholds"]


def test_without_a_file_the_constants_are_the_fallback(tmp_path):
    meta = export("meso4-df", tmp_path / "m", check_parity=False, log=lambda _: None)
    assert meta["thresholds"] == THRESHOLDS and "thresholds_calibration" not in meta


@pytest.mark.parametrize("content, message", [
    (None, "thresholds file not found"),
    ("not json", "not a thresholds file"),
    ('{"fake_below": 0.4}', "not a thresholds file"),
    ('{"fake_below": 0.8, "real_above": 0.2}', "fake_below <= real_above"),
])
def test_bad_thresholds_files(tmp_path, content, message):
    path = tmp_path / "t.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConvertError, match=message):
        metadata.read_thresholds(path)


def test_cli_bad_thresholds_is_one_line_and_writes_nothing(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"fake_below": 0.8, "real_above": 0.2}')
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(ROOT / "convert" / "export_tfjs.py"), "meso4-df",
                             "--out", str(out / "m"), "--thresholds", str(path), "--no-parity"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: thresholds must satisfy")
    assert not out.exists()
