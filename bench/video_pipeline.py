"""Time to a video's verdict in the page, beside the same work done natively.

The page analyses the 30 s 640x480 FF++ clip at its default sampling (one
frame a second: 30 frames) in headless Chromium; the time is the page's own
data-total-ms (first seek to verdict) and the wall time from adding the file
to the finished card. Per frame it reports the page's medians: waiting for
the decoder, face detection, and all of a frame's work. Natively, OpenCV
decodes the same 30 frames and Keras (tf.function) scores the page's crops
(same boxes) in one batch. Face detection has no native twin here (the page's
BlazeFace runs as a TF.js graph model, and OpenCV 5 dropped its Haar cascades), so
the native figure leaves it out and the page's detection time is shown apart.
Each backend runs as a first visit (not isolated: one WASM thread) and as a
returning one (cross-origin isolated, as site/sw.js makes it: WASM threads).

    .venv/bin/python -m bench.video_pipeline [--backends wasm] [--runs 3]
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown_table, runtime_label, site_missing, site_visits, write_results  # noqa: E402
from convert import browser  # noqa: E402
from convert.constants import SHARED_DIR, SITE_DIR, WEIGHTS_DIR_ENV  # noqa: E402

CLIP = SHARED_DIR / "datasets" / "ffpp_c23_clips" / "fake" / "519_515.mp4"
TARGET_S = 5.0  # issue 4: the 30 s clip in under 5 s (2 cores, headless Chromium, WASM)


LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
"""


def page_runs(chromium, url, backend, runs):
    context = chromium.new_context()
    context.add_init_script(LONG_TASKS)
    try:
        page = context.new_page()
        page.goto(f"{url}/index.html?backend={backend}")
        page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
        cards = page.locator("[data-testid=result]")
        threads = None
        out, boxes = [], None
        for run in range(runs + 1):  # the first run warms up
            page.evaluate("window.__longTasks = []")
            started = time.perf_counter()
            page.set_input_files("[data-testid=file-input]", [str(CLIP)])
            card = cards.nth(run)
            card.locator("xpath=self::*[@data-state='done' or @data-state='error']").wait_for(timeout=600_000)
            wall = time.perf_counter() - started
            threads = int(card.get_attribute("data-engine-threads") or
                          page.get_attribute("[data-testid=threads]", "data-threads"))
            rows = card.locator("[data-testid=frame]").evaluate_all(
                "rs => rs.map((r) => ({ ms: +r.dataset.ms, wait: +r.dataset.waitMs, "
                "detect: +(r.dataset.detectMs || NaN),"
                " face: r.dataset.pReal !== undefined }))")
            if run == 0:
                with page.expect_download() as info:
                    page.click("[data-testid=export-json]")
                result = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))["results"][0]
                boxes = [(f["time"], [tuple(int(v) for v in face["box"].split(",")) for face in f["faces"]])
                         for f in result["frames"]]
                continue
            out.append({
                "wall_s": wall,
                "page_s": float(card.get_attribute("data-total-ms")) / 1000,
                "frames": len(rows),
                "faces_found": sum(r["face"] for r in rows),
                "wait_ms": statistics.median(r["wait"] for r in rows),
                "detect_ms": statistics.median(r["detect"] for r in rows),
                "frame_ms": statistics.median(r["ms"] for r in rows),
                "frame_ms_sum": sum(r["ms"] for r in rows),
                "wait_ms_sum": sum(r["wait"] for r in rows),
                "p_real": float(card.get_attribute("data-p-real") or "nan"),
                # The main thread is busy in tasks this long: the page cannot react during them.
                "longest_task_ms": page.evaluate("Math.max(0, ...window.__longTasks)"),
                "long_tasks_ms": page.evaluate("window.__longTasks.reduce((a, b) => a + b, 0)"),
            })
        return out, boxes, threads
    finally:
        context.close()


def native_run(model_call, boxes):
    """OpenCV decode of the frames at the page's times + Keras on the page's crops; seconds per stage."""
    import cv2
    import numpy as np

    from convert.preprocess import to_input

    t = time.perf_counter()
    capture = cv2.VideoCapture(str(CLIP))
    fps = capture.get(cv2.CAP_PROP_FPS)
    wanted = {int(when * fps): frame_boxes for when, frame_boxes in boxes}
    crops = []
    # Read straight through (faster than seeking, which decodes from a key
    # frame each time); convert only the sampled frames.
    for index in range(max(wanted) + 1):
        if not capture.grab():
            break
        if index in wanted:
            ok, frame = capture.retrieve()
            if ok:
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                crops += [to_input(rgb, box) for box in wanted[index]]
    capture.release()
    decode = time.perf_counter() - t
    t = time.perf_counter()
    scores = model_call(np.stack(crops).astype(np.float32)).numpy().ravel()
    classify = time.perf_counter() - t
    return {"decode": decode, "classify": classify, "total": decode + classify, "frames": len(boxes),
            "faces_found": len(crops), "p_real": float(np.mean(scores))}


def native_runs(runs, boxes):
    import os

    os.environ.setdefault(WEIGHTS_DIR_ENV, str(SHARED_DIR / "models"))
    from convert import mesonet, weights
    from convert.tfenv import tf

    model, _ = mesonet.load(weights.resolve("meso4-df"))
    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    native_run(call, boxes)  # warm-up (tracing)
    return [native_run(call, boxes) for _ in range(runs)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="wasm")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if site_missing():
        return 2
    results, boxes = {}, None
    with site_visits({"/": SITE_DIR}) as bases, browser.launch() as chromium:
        for backend in args.backends.split(","):
            for isolated, url in bases.items():
                rows, boxes, threads = page_runs(chromium, url, backend, args.runs)
                results[runtime_label(backend, threads, isolated)] = rows
    native = native_runs(args.runs, boxes)

    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    native_s = med(native, "total")
    table_rows = []
    for backend, rows in results.items():
        page_s = med(rows, "page_s")
        table_rows.append([f"page, {backend}", f"{page_s:.2f}", f"{med(rows, 'wall_s'):.2f}",
                           f"{rows[0]['faces_found']}/{rows[0]['frames']}", f"{med(rows, 'wait_ms'):.0f}",
                           f"{med(rows, 'detect_ms'):.0f}", f"{med(rows, 'frame_ms'):.0f}",
                           f"{med(rows, 'longest_task_ms'):.0f}",
                           f"{page_s / native_s:.1f}x", "yes" if page_s < TARGET_S else "no"])
    table_rows.append(["native: OpenCV decode + Keras, no detection", f"{native_s:.2f}", "",
                       f"{native[0]['faces_found']}/{native[0]['frames']}",
                       f"{med(native, 'decode') * 1000 / native[0]['frames']:.0f} (decode)", "–",
                       f"{native_s * 1000 / native[0]['frames']:.0f}", "", "1.0x", ""])
    table = markdown_table(
        ["30 s 640x480 clip, 1 frame/s", "verdict s", "wall s", "faces/frames", "decode wait ms/frame",
         "detect ms/frame", "all ms/frame", "longest main-thread task ms", "vs native",
         f"under {TARGET_S:.0f} s"], table_rows)
    print(f"\nTime to verdict, median of {args.runs} warm runs ({CLIP.name})\n")
    print(table)
    path = write_results("video_pipeline", {"clip": CLIP.name, "page": results, "native": native}, table)
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
