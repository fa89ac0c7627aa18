"""Helpers shared by the benchmarks: timing, tables, result files."""
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"


def site_missing():
    """For benchmarks that open the site: False when it is built, else says so on stderr."""
    if (ROOT / "site" / "vendor" / "tf.js").is_file():
        return False
    print("site/vendor is missing: run `npm run build` (or ./dev setup) first", file=sys.stderr)
    return True


def median_ms(fn, runs, warmup=2):
    """Median wall time of fn() in milliseconds over runs calls, after warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(name, data, table):
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS_DIR / f"{name}.md").write_text(table + "\n")
    return RESULTS_DIR / f"{name}.md"
