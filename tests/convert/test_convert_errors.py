"""Every error path of the converter CLI: one line naming the file and the
cause, a non-zero exit, and no output folder (or leftovers) behind."""
import json
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import ROOT
from convert.constants import PUBLISHED_MODELS, WEIGHTS_DIR_ENV
from convert.weights import resolve

CLI = [sys.executable, str(ROOT / "convert" / "export_tfjs.py")]


def run_cli(*args, env=None):
    import os

    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert str(fragment) in lines[0]


def assert_nothing_written(folder):
    """No output and no temporary or backup folder left in the destination's parent."""
    assert list(folder.iterdir()) == [], list(folder.iterdir())


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "nope.h5"
    result = run_cli(missing, "--out", out / "model")
    assert_one_line_error(result, missing, "not found")
    assert not out.exists()


def test_not_hdf5(tmp_path):
    fake = tmp_path / "notes.h5"
    fake.write_text("this is a text file, not a Keras model\n")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(fake, "--out", out / "model")
    assert_one_line_error(result, fake, "not an HDF5 file")
    assert_nothing_written(out)


def test_weights_for_another_architecture(tmp_path):
    source = resolve("mesoinception4-df")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(source, "--arch", "meso4", "--out", out / "model")
    assert_one_line_error(result, source, "do not fit meso4")
    assert_nothing_written(out)


def test_weights_with_wrong_shapes(tmp_path):
    """A weights-only file whose layer kinds match Meso-4 but whose shapes do not."""
    bad = tmp_path / "bad_shapes.h5"
    shutil.copy(resolve("meso4-df"), bad)
    with h5py.File(bad, "r+") as h5:
        group = h5["conv2d_5"]
        name = group.attrs["weight_names"][0].decode()
        del group[name]
        group[name] = np.zeros((3, 3, 3, 9), np.float32)  # 9 filters where 8 belong
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(bad, "--out", out / "model")
    assert_one_line_error(result, bad, "do not fit meso4", "conv2d_5")
    assert_nothing_written(out)


def test_unknown_architecture_needs_flag(tmp_path):
    odd = tmp_path / "odd.h5"
    with h5py.File(odd, "w") as h5:
        h5.attrs["layer_names"] = [b"dense_1"]
        h5.create_group("dense_1").attrs["weight_names"] = [b"dense_1/kernel:0"]
        h5["dense_1"]["dense_1/kernel:0"] = np.zeros((4, 1), np.float32)
    result = run_cli(odd, "--out", tmp_path / "model")
    assert_one_line_error(result, odd, "--arch")


def test_wrong_hash_in_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    tampered = mirror / PUBLISHED_MODELS["meso4-df"]["file"]
    data = bytearray(resolve("meso4-df").read_bytes())
    data[-100] ^= 0xFF
    tampered.write_bytes(bytes(data))
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("meso4-df", "--out", out / "model", env={WEIGHTS_DIR_ENV: str(mirror)})
    assert_one_line_error(result, tampered, "sha256", "does not match")
    assert_nothing_written(out)


def test_missing_from_mirror(tmp_path):
    result = run_cli("meso4-f2f", "--out", tmp_path / "model", env={WEIGHTS_DIR_ENV: str(tmp_path)})
    assert_one_line_error(result, tmp_path / "Meso4_F2F.h5", "not found")


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli(resolve("meso4-df"), "--out", blocker / "model")
    assert_one_line_error(result, blocker / "model", "cannot write")
    assert blocker.read_text() == ""


def test_unknown_option_is_a_usage_error(tmp_path):
    result = run_cli("meso4-df", "--quantize", "int4", "--out", tmp_path / "m")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert not (tmp_path / "m").exists()


def test_parity_failure_fails_the_export_and_keeps_the_old_output(tmp_path, monkeypatch):
    """A converted model that disagrees with Keras is never moved into place,
    and the previous export already there stays untouched, byte for byte."""
    from convert import export_tfjs, scoring

    out = tmp_path / "model"
    assert export_tfjs.main(["meso4-f2f", "--out", str(out), "--no-parity"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_scores = scoring.keras_scores
    monkeypatch.setattr(scoring, "keras_scores", lambda m, x: real_scores(m, x) + 1e-3)
    code = export_tfjs.main(["meso4-df", "--out", str(out), "--backends", "cpu", "wasm"])
    assert code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_out_that_is_a_file_fails_before_any_work(tmp_path):
    """The output is checked first: the source does not even exist here."""
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    result = run_cli(tmp_path / "missing.h5", "--out", taken)
    assert_one_line_error(result, taken, "is a file")
    assert taken.read_text() == "mine"


def test_folder_with_other_files_is_refused_before_any_work(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "important.txt").write_text("do not lose me")
    result = run_cli(tmp_path / "missing.h5", "--out", out)
    assert_one_line_error(result, out, "important.txt", "--force", "nothing was written")
    assert [p.name for p in out.iterdir()] == ["important.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


TRAINING_FILES = ("report.json", "history.json", "split.json", "curves.png")


def test_export_into_the_training_folder_keeps_every_file(tmp_path):
    """finetune.py's folder (ft/model.h5 --out ft): refused without --force;
    with --force the model's files go alongside, and a second export there
    replaces only its own files."""
    from convert.errors import ConvertError
    from convert.export import export

    ft = tmp_path / "ft"
    ft.mkdir()
    shutil.copy(resolve("meso4-df"), ft / "model.h5")
    for name in TRAINING_FILES:
        (ft / name).write_text(name)
    kept = {p.name: p.read_bytes() for p in ft.iterdir()}
    with pytest.raises(ConvertError, match=r"holds the source model.h5 .*--force"):
        export(ft / "model.h5", ft, check_parity=False, log=lambda _: None)
    assert {p.name: p.read_bytes() for p in ft.iterdir()} == kept

    meta = export(ft / "model.h5", ft, check_parity=False, force=True, log=lambda _: None)
    assert {p.name: p.read_bytes() for p in ft.iterdir() if p.name in kept} == kept
    assert {p.name for p in ft.iterdir()} == set(kept) | set(meta["files"]) | {"metadata.json"}
    export(ft / "model.h5", ft, check_parity=False, force=True, quantize="float16",
           log=lambda _: None)
    assert {p.name: p.read_bytes() for p in ft.iterdir() if p.name in kept} == kept
    assert json.loads((ft / "metadata.json").read_text())["quantization"] == "float16"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ft"]


def test_previous_export_is_replaced_whole(tmp_path):
    from convert.export import export

    out = tmp_path / "model"
    export("meso4-df", out, check_parity=False, log=lambda _: None)
    (out / "group1-shard9of9.bin").write_bytes(b"")  # as if the old export had more shards
    meta = json.loads((out / "metadata.json").read_text())
    meta["files"]["group1-shard9of9.bin"] = "0" * 64
    (out / "metadata.json").write_text(json.dumps(meta))
    meta = export("meso4-f2f", out, check_parity=False, log=lambda _: None)
    assert sorted(p.name for p in out.iterdir()) == sorted(list(meta["files"]) + ["metadata.json"])
    assert meta["id"] == "meso4-f2f"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# Lines TensorFlow, XLA and absl print at start-up on a machine without a GPU;
# the tools hide them unless --verbose is given.
TF_NOISE = ("cuda", "absl", "cuDNN", "cuFFT", "cuBLAS", "computation placer", "oneDNN")


def test_tools_print_only_their_own_lines(tmp_path):
    """export_tfjs.py, evaluate.py and explain.py: their own lines, not TensorFlow's."""
    from conftest import FIXTURES

    data = tmp_path / "labelled"
    for label, folder in (("real", "real"), ("fake", "df")):
        shutil.copytree(FIXTURES / folder, data / label)
    runs = {
        "export_tfjs.py": ["meso4-df", "--out", tmp_path / "model", "--no-parity"],
        "evaluate.py": [data, "--model", "meso4-df", "--out", tmp_path / "eval"],
        "explain.py": [FIXTURES / "df" / "df00204.jpg", "--out", tmp_path / "maps"],
    }
    quiet = {}
    for tool, args in runs.items():
        quiet[tool] = result = subprocess.run([sys.executable, str(ROOT / "convert" / tool)] + [str(a) for a in args],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (tool, result.stderr)
        noise = [line for line in (result.stdout + result.stderr).splitlines()
                 if any(word.lower() in line.lower() for word in TF_NOISE)]
        assert noise == [], (tool, noise)
        assert result.stdout.strip(), f"{tool} printed no result line"
    verbose = subprocess.run([sys.executable, str(ROOT / "convert" / "export_tfjs.py"), "meso4-df",
                              "--out", str(tmp_path / "model2"), "--no-parity", "--verbose"],
                             capture_output=True, text=True, timeout=300)
    assert verbose.returncode == 0, verbose.stderr
    assert len(verbose.stderr.splitlines()) > len(quiet["export_tfjs.py"].stderr.splitlines()), \
        "--verbose shows TensorFlow's own lines too"


def test_mistyped_published_name_leads_to_the_right_one(tmp_path, capsys):
    from convert import export_tfjs

    assert export_tfjs.main(["meso4_df", "--out", str(tmp_path / "m")]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: meso4_df: file not found")
    assert "did you mean the published model meso4-df?" in line
    assert "meso4-f2f, mesoinception4-df, mesoinception4-f2f" in line
    assert not (tmp_path / "m").exists()


def test_quantised_parity_failure_says_what_to_try():
    from convert.errors import ConvertError
    from convert.export import _raise_on_parity_failure

    report = {"cpu": {"available": True, "passed": False, "max_abs_diff": 0.08, "tolerance": 0.05},
              "wasm": {"available": True, "passed": True, "max_abs_diff": 0.01, "tolerance": 0.05}}
    with pytest.raises(ConvertError, match="cpu .*; uint8 rounds .* try --quantize float16"):
        _raise_on_parity_failure("m.h5", report, "uint8")
    with pytest.raises(ConvertError, match="float16 rounds .* without --quantize"):
        _raise_on_parity_failure("m.h5", report, "float16")
    with pytest.raises(ConvertError) as failure:
        _raise_on_parity_failure("m.h5", report, "none")
    assert "--quantize" not in str(failure.value)


def test_arch_that_contradicts_a_full_model_is_refused(tmp_path):
    """--arch is a check: a full Meso-4 .h5 never exports as MesoInception-4."""
    from convert import mesonet

    source = tmp_path / "meso4_full.h5"
    mesonet.build("meso4").save(source)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(source, "--arch", "mesoinception4", "--out", out / "model")
    assert_one_line_error(result, source, "holding a Meso-4", "not MesoInception-4 as --arch says")
    assert_nothing_written(out)
