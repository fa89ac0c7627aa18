"""Photos through the whole page, as a user adds them (default settings, WASM):
the time from the file input's change to the verdict on the card, timed in
the page, and what the page's thread does meanwhile. Prints figures; not a test.

- one at a time: held-out face crops (every 20th of mesonet_df_validation
  and every 4th of dfdc_faces224 where ../shared/datasets is there, else the
  repository's four test images), a picture with three ~70 px faces in
  1920x1080, a 1080p frame of a DFDC clip and a landscape without people:
  median change-to-verdict per kind, faces found, the share of crops with no
  face, and ROC AUC (fake = positive) of the page's scores beside Keras on the
  whole crops.
- a batch: 60 crops at once with faces off (each crop scored whole), from
  change to the last card done, per picture, beside native decode + resize +
  predict (Pillow, TF, Keras batch 1) on the same files in this process.
- long tasks: the page's tasks over 50 ms (PerformanceObserver) while the
  batch is analysed.

    .venv/bin/python -m bench.photo_pipeline [--isolated]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.common import markdown_table, site_missing, site_visits, write_results
from convert import browser, cli, mesonet, metrics
from convert.constants import SHARED_DATASETS_DIR, SITE_DIR, TEST_IMAGES_DIR
from convert.preprocess import decode, to_input
from convert.site_page import SitePage
from convert.tfenv import tf
from tests.clips import face_picture

BATCH = 60
# In the page: the time from the input's change event to each new card's done
# (or error) state, and the page's long tasks, recorded from the moment it is
# armed. Cheap: the page's own work is what is measured (a query of every card
# on each change cost the batch several ms a picture).
WATCH = """() => {
  const seen = { changes: [], done: new Map(), long: [] };
  window.__bench = seen;
  document.querySelector('[data-testid=file-input]')
    .addEventListener('change', () => seen.changes.push(performance.now()), true);
  new MutationObserver((records) => {
    const now = performance.now();
    for (const { target: card } of records) {
      if (card.dataset.testid === 'result' && !seen.done.has(card)
          && (card.dataset.state === 'done' || card.dataset.state === 'error')) seen.done.set(card, now);
    }
  }).observe(document.querySelector('[data-testid=results]'),
    { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.long.push(e.duration); })
    .observe({ type: 'longtask' });
}"""
# The times the cards from `first` to `last` were done, once they all are (else null).
DONE_TIMES = """([first, last]) => {
  const cards = [...document.querySelectorAll('[data-testid=result]')].slice(first, last + 1);
  const times = cards.map((card) => window.__bench.done.get(card));
  return cards.length === last - first + 1 && times.every((t) => t !== undefined) ? times : null;
}"""


def held_out_crops():
    """[(path, label)]: labelled crops, or the repository's test images without the data."""
    if not SHARED_DATASETS_DIR.is_dir():
        return [(p, "real" if p.parent.name == "real" else "fake") for p in sorted(TEST_IMAGES_DIR.glob("*/*.jpg"))]
    crops = []
    for folder, step in (("mesonet_df_validation", 20), ("dfdc_faces224", 4)):
        for label in ("real", "fake"):
            crops += [(p, label) for p in sorted((SHARED_DATASETS_DIR / folder / label).glob("*.jpg"))[::step]]
    return crops


def pictures(folder):
    """{kind: path}: three ~70 px faces in 1080p, a 1080p DFDC frame, a landscape without people."""
    faces = sorted(TEST_IMAGES_DIR.glob("*/*.jpg"))
    made = {"three 70 px faces, 1920x1080": face_picture(folder / "three-faces.jpg", faces[:3],
                                                           size=(1920, 1080), side=100)}
    y, x = np.mgrid[0:720, 0:1280]
    sky = np.stack([x * 255 // 1280, y * 255 // 720, np.full_like(x, 140)], axis=-1).astype(np.uint8)
    cv2.imwrite(str(folder / "landscape.jpg"), cv2.cvtColor(sky, cv2.COLOR_RGB2BGR))
    made["no people, 1280x720"] = folder / "landscape.jpg"
    clip = SHARED_DATASETS_DIR / "dfdc_clips" / "real" / "lynaeydofd.mp4"
    if clip.is_file():
        capture = cv2.VideoCapture(str(clip))
        capture.set(cv2.CAP_PROP_POS_FRAMES, 90)
        ok, frame = capture.read()
        if ok:
            cv2.imwrite(str(folder / "dfdc-frame.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            made["DFDC frame, 1920x1080"] = folder / "dfdc-frame.jpg"
    return made


def add_and_time(site, paths):
    """Add files in one change; each one's change-to-done time (ms) and its card's row."""
    count = site.page.evaluate("window.__bench.changes.length")
    first = site.choose_files(paths)
    times = site.page.wait_for_function(DONE_TIMES, arg=[first, first + len(paths) - 1],
                                        polling=20, timeout=600_000).json_value()
    changed = site.page.evaluate(f"window.__bench.changes[{count}]")
    rows = site.cards()[first:]
    return [{"ms": t - changed, "state": row["state"], "verdict": row["verdict"], "p_real": row["p_real"],
             "faces": len(row["faces"])} for t, row in zip(times, rows)]


def native_ms(paths):
    """Median per picture of decode + resize + Keras batch 1, as the page does with faces off."""
    model = mesonet.load_source("meso4-df").model
    call = tf.function(lambda x: model(x, training=False))
    call(to_input(decode(paths[0]))[None]).numpy()
    times = []
    for path in paths:
        started = time.perf_counter()
        call(to_input(decode(path))[None]).numpy()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), [float(call(to_input(decode(p))[None]).numpy().reshape(-1)[0]) for p in paths]


def build_parser():
    parser = argparse.ArgumentParser(prog="bench.photo_pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--isolated", action="store_true", help="as a returning visit (WASM threads)")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    crops = held_out_crops()
    with tempfile.TemporaryDirectory() as tmp, site_visits({"/": SITE_DIR}) as bases, \
            browser.launch() as chromium:
        made = pictures(Path(tmp))
        context = chromium.new_context()
        site = SitePage(context.new_page()).open(bases[args.isolated])
        page = site.page
        backend = site.wait_ready(timeout_ms=120_000)
        threads = page.get_attribute("[data-testid=threads]", "data-threads")
        page.evaluate(WATCH)
        # warm-up: the first analyses compile and allocate
        add_and_time(site, [crops[0][0], made["no people, 1280x720"]])
        singles = []
        for path, label in crops:
            (row,) = add_and_time(site, [path])
            singles.append({**row, "kind": f"{path.parent.parent.name} crop" if SHARED_DATASETS_DIR.is_dir()
                            else "test image", "label": label})
        for kind, path in made.items():
            (row,) = add_and_time(site, [path])
            singles.append({**row, "kind": kind, "label": None})
        page.uncheck("[data-testid=faces-switch]")
        batch_paths = [p for p, _ in (crops * (BATCH // len(crops) + 1))[:BATCH]]
        page.evaluate("window.__bench.long = []")
        batch = add_and_time(site, batch_paths)
        long_tasks = page.evaluate("window.__bench.long")
        context.close()
    batch_ms = max(r["ms"] for r in batch) / len(batch)
    native, _ = native_ms(batch_paths)

    by_kind = {}
    for row in singles:
        by_kind.setdefault(row["kind"], []).append(row)
    rows = []
    for kind, found in by_kind.items():
        no_face = sum(r["verdict"] == "no-face" for r in found)
        rows.append([kind, len(found), f"{statistics.median(r['ms'] for r in found):.0f}",
                     f"{max(r['ms'] for r in found):.0f}", f"{no_face} ({100 * no_face / len(found):.1f}%)",
                     str(sorted({r['faces'] for r in found}))])
    auc_rows = []
    if SHARED_DATASETS_DIR.is_dir():
        _, keras = native_ms([p for p, _ in crops])
        for folder in ("mesonet_df_validation", "dfdc_faces224"):
            pairs = [(row, k, label) for (path, label), row, k in zip(crops, singles, keras)
                     if path.parent.parent.name == folder]
            y = np.array([label == "fake" for _, _, label in pairs], int)
            # a crop without a face found counts as undecided (0.5)
            page_p = np.array([r["p_real"] if r["p_real"] is not None else 0.5 for r, _, _ in pairs])
            keras_p = np.array([k for _, k, _ in pairs])
            auc_rows.append([folder, len(pairs), f"{metrics.roc_auc(y, page_p):.3f}",
                             f"{metrics.roc_auc(y, keras_p):.3f}"])
    every = [r["ms"] for r in singles]
    table = "\n\n".join([
        f"Backend {backend} ({threads} thread(s)). One photo at a time, from the input's change to the "
        f"verdict on its card (ms); median over all {len(every)}: {statistics.median(every):.0f} ms.",
        markdown_table(["photos", "count", "median ms", "slowest ms", "no face", "faces found"], rows),
        markdown_table(["held-out crops", "count", "ROC AUC, page (faces on)", "ROC AUC, Keras on the whole crop"],
                       auc_rows) if auc_rows else "",
        markdown_table(["batch", "per picture in the page ms", "native decode+resize+predict ms", "page / native",
                        "page tasks over 50 ms (longest ms)"],
                       [[f"{BATCH} crops, faces off", f"{batch_ms:.1f}", f"{native:.1f}", f"{batch_ms / native:.2f}x",
                         f"{len(long_tasks)} ({max(long_tasks, default=0):.0f})"]]),
    ])
    path = write_results("photo_pipeline", {
        "backend": backend, "threads": threads, "median_ms": statistics.median(every), "singles": singles,
        "batch": {"count": BATCH, "per_picture_ms": batch_ms, "native_ms": native, "long_tasks": long_tasks},
        "auc": auc_rows}, table)
    print(table)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
