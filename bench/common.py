"""Helpers shared by the benchmarks: timing, tables, result files."""
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from convert import webserver
from convert.constants import SHARED_DIR, WEIGHTS_DIR_ENV

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
# Published weights from the shared mirror where it is there (no download), as the tests do.
if (SHARED_DIR / "models").is_dir():
    os.environ.setdefault(WEIGHTS_DIR_ENV, str(SHARED_DIR / "models"))


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


@contextmanager
def site_visits(routes):
    """{isolated: base URL}: the routes served as a first visit sees the site
    (not isolated: WASM has one thread) and as a returning visit does (cross-origin
    isolated, as site/sw.js makes it from the second load: WASM threads)."""
    with webserver.serve(routes) as first, webserver.serve(routes, isolated=True) as returning:
        yield {False: first, True: returning}


def runtime_label(backend, threads, isolated):
    """e.g. "wasm (2 threads, isolated)", "cpu (1 thread)"."""
    return f"{backend} ({threads} thread{'s' if threads > 1 else ''}{', isolated' if isolated else ''})"
