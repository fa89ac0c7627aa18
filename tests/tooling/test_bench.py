"""The benchmark runner works on this machine (`./dev bench`): a short
bench.model_inference run measures every runtime beside Keras, and
bench.summary turns it into the published table. No figure is asserted:
speed targets live in the benchmarks' output, not in timed tests."""
import json
import os

from bench import common, model_inference, summary


def test_model_inference_measures_every_runtime_and_the_summary_tabulates_it(tmp_path, monkeypatch):
    for module in (common, summary):
        monkeypatch.setattr(module, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(summary, "DOCS_PAGE", tmp_path / "benchmark-results.md")

    assert model_inference.main(["--rounds", "1", "--runs", "3", "--no-export"]) == 0
    latency = json.loads((tmp_path / "model_inference.json").read_text())["latency"]["meso4-df"]
    threads = min(os.cpu_count(), 4)
    runtimes = {common.runtime_label(backend, 1, False) for backend in ("wasm", "cpu", "webgl")}
    runtimes |= {"keras (native)", common.runtime_label("wasm", threads, True)}
    assert set(latency) == runtimes
    for row in latency.values():
        assert row["batch1_ms"] > 0 and row["batched_ms"] > 0 and len(row["rounds"]) == 1

    assert summary.main([]) == 0
    page = (tmp_path / "benchmark-results.md").read_text()
    rows = [line.split(" | ") for line in page.splitlines() if line.startswith("| classify a face")]
    assert len(rows) == 2 * (len(runtimes) - 1)  # batch 1 and batched, for each browser runtime
    for cells in rows:
        wasm = cells[1].startswith("wasm")
        assert cells[-2] in (("within 2x Keras", "within 1.5x Keras") if wasm else ("",))
        assert cells[-1].rstrip(" |") in (("yes", "no") if wasm else ("",))
