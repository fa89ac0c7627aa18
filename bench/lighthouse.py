"""Lighthouse (12.2.3, pinned in bench/lighthouse/package-lock.json; the newest
that runs on Node.js 20) on the built page as a phone sees it: performance,
accessibility and best-practices scores, total blocking time and bytes loaded.
Medians of --runs runs (Lighthouse varies from run to run).

    npm ci --prefix bench/lighthouse   # ./dev bench does this
    .venv/bin/python -m bench.lighthouse [--runs 3]

Lighthouse drives the same Chromium as the tests (CHROME_PATH). Its mobile
preset simulates a mid-range phone on a slow 4G network. The local server
sends files uncompressed, as GitHub Pages does not (it gzips text): the byte
figure is the upper bound.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, markdown_table, site_missing, write_results
from convert import browser, cli, webserver
from convert.constants import SITE_DIR

CLI = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices")
AUDITS = {"total-blocking-time": "tbt_ms", "total-byte-weight": "bytes",
          "largest-contentful-paint": "lcp_ms", "interactive": "tti_ms"}
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]


def run_once(url, out_dir, form_factor):
    report = out_dir / f"lighthouse-{form_factor}.json"
    env = {**os.environ, "CHROME_PATH": browser.chromium_path() or ""}
    args = ["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    if form_factor == "desktop":
        args.append("--preset=desktop")
    subprocess.run(args, check=True, env=env, timeout=300)
    data = json.loads(report.read_text())
    row = {name: data["categories"][name]["score"] for name in CATEGORIES}
    row.update({key: data["audits"][audit]["numericValue"] for audit, key in AUDITS.items()})
    failing = {name: [ref["id"] for ref in data["categories"][name]["auditRefs"]
                      if ref.get("weight") and (data["audits"][ref["id"]].get("score") or 0) < 1]
               for name in ("accessibility", "best-practices")}
    return row, failing


def build_parser():
    parser = argparse.ArgumentParser(prog="bench.lighthouse", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    if not CLI.is_file():
        print(f"{CLI} is missing: run `npm ci --prefix bench/lighthouse` first", file=sys.stderr)
        return 2
    results = {}
    with webserver.serve({"/": SITE_DIR}) as base, tempfile.TemporaryDirectory() as tmp:
        for form_factor in ("mobile", "desktop"):
            runs = [run_once(f"{base}/index.html", Path(tmp), form_factor) for _ in range(args.runs)]
            rows = [row for row, _ in runs]
            results[form_factor] = {
                "median": {key: statistics.median(r[key] for r in rows) for key in rows[0]},
                "runs": rows, "failing_audits": runs[-1][1]}
    table = markdown_table(
        ["form factor", "performance", "accessibility", "best practices", "total blocking time",
         "largest contentful paint", "bytes"],
        [[name, f"{r['median']['performance']:.2f}", f"{r['median']['accessibility']:.2f}",
          f"{r['median']['best-practices']:.2f}", f"{r['median']['tbt_ms']:.0f} ms",
          f"{r['median']['lcp_ms'] / 1000:.1f} s", f"{r['median']['bytes'] / 1e6:.1f} MB"]
         for name, r in results.items()])
    path = write_results("lighthouse", {"runs": args.runs, "results": results}, table)
    print(table)
    for name, r in results.items():
        for category, audits in r["failing_audits"].items():
            if audits:
                print(f"{name} {category}: failing audits {', '.join(audits)}")
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
