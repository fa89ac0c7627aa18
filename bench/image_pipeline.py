"""Where the time goes on the page, per backend, beside native Keras.

For each backend (webgl, wasm, cpu; wasm also cross-origin isolated, with
threads, as a returning visit runs it) the site is opened in headless Chromium:
time from opening the page to ready, bytes transferred before ready, then per
image the face detection time, the classification time (all faces, including
reading the score back) and the total, as the page itself measures them
(data-detect-ms, data-classify-ms, data-total-ms on each card). Each image is
analysed twice and the second (warm) run is reported. Native Keras batch-1
latency on the very crops the page scored is printed beside it. The pictures:
two of the repository's test faces, a MesoNet and a DFDC crop, a 640x480 FF++
frame and a 1920x1080 DFDC frame (without ../shared/datasets: a 640x480 and a
1920x1080 picture made of the test faces instead); per picture, the face detector's time (BlazeFace,
site/js/engine/face-detector.js) and "file": from the file's turn in the queue to
its verdict on the card (reading, decoding, faces, scores, drawing;
data-file-ms).

    .venv/bin/python -m bench.image_pipeline [--backends wasm,cpu] [--repeat 20]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
from PIL import Image

from bench.common import markdown_table, runtime_label, site_missing, site_visits, write_results
from convert import browser, cli, mesonet
from convert.constants import SHARED_DATASETS_DIR, SITE_DIR, TEST_IMAGES_DIR
from convert.preprocess import decode, to_input
from convert.site_page import SitePage
from convert.tfenv import tf
from tests.clips import face_picture

DATASETS = SHARED_DATASETS_DIR
CLIPS = [DATASETS / "ffpp_c23_clips" / "real" / "519.mp4", DATASETS / "dfdc_clips" / "real" / "lynaeydofd.mp4"]
BYTES_BEFORE_READY = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0);
}"""


def images(folder):
    faces = sorted(TEST_IMAGES_DIR.glob("*/*.jpg"))
    paths = faces[:2]
    if not DATASETS.is_dir():
        return paths + [face_picture(Path(folder) / f"faces-{w}x{h}.jpg", faces[:2], size=(w, h), side=side)
                        for (w, h), side in (((640, 480), 160), ((1920, 1080), 220))]
    paths += [sorted((DATASETS / "mesonet_df_validation" / "real").glob("*.jpg"))[0],
              sorted((DATASETS / "dfdc_faces224" / "fake").glob("*.jpg"))[0]]
    for clip in CLIPS:
        capture = cv2.VideoCapture(str(clip))
        capture.set(cv2.CAP_PROP_POS_FRAMES, 30)
        ok, frame = capture.read()
        capture.release()
        if ok:
            path = Path(folder) / f"frame-{clip.stem}.jpg"
            cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            paths.append(path)
    return paths


def card_ms(card, name):
    """A card's timing attribute (data-detect-ms ...) in ms; NaN where it has none."""
    return float(card["data"].get(name) or "nan")


def run_backend(chromium, url, backend, paths, isolated):
    context = chromium.new_context()
    try:
        started = time.perf_counter()
        site = SitePage(context.new_page()).open(url, f"?backend={backend}")
        page = site.page
        site.wait_ready(timeout_ms=120_000)
        ready_ms = (time.perf_counter() - started) * 1000
        ready_bytes = page.evaluate(BYTES_BEFORE_READY)
        active = runtime_label(page.locator("[data-testid=backend]").text_content(),
                               int(page.get_attribute("[data-testid=threads]", "data-threads")), isolated)
        site.add_files(paths, timeout_ms=600_000)  # the first round warms the pipeline up
        rows = [{"image": path.name, "size": "x".join(map(str, Image.open(path).size)), "state": card["state"],
                 "faces": len(card["faces"]), "boxes": [face["box"] for face in card["faces"]],
                 "detect": card_ms(card, "detectMs"), "classify": card_ms(card, "classifyMs"),
                 "total": card_ms(card, "totalMs"), "file": card_ms(card, "fileMs")}
                for path, card in zip(paths, site.add_files(paths, timeout_ms=600_000))]
        return {"backend": active, "ready_ms": ready_ms, "ready_bytes": ready_bytes, "rows": rows}
    finally:
        context.close()


def keras_latency(paths, boxes_per_image, repeat):
    """Median batch-1 latency of native Keras on the same crops, per image (all its faces)."""
    model = mesonet.load_source("meso4-df").model
    call = tf.function(lambda x: model(x, training=False))
    out = {}
    for path, boxes in zip(paths, boxes_per_image):
        rgb = decode(path)
        crops = [to_input(rgb, box)[None] for box in boxes]
        for crop in crops:
            call(crop).numpy()  # warm-up / trace
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            for crop in crops:
                call(crop).numpy()
            times.append((time.perf_counter() - t) * 1000)
        out[path.name] = statistics.median(times) if crops else float("nan")
    return out


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="wasm,cpu,webgl")
    parser.add_argument("--repeat", type=int, default=20, help="Keras timing repetitions")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    with tempfile.TemporaryDirectory() as folder:
        paths = images(folder)
        results = []
        with site_visits({"/": SITE_DIR}) as bases, browser.launch() as chromium:
            for backend in args.backends.split(","):
                for isolated in (False, True) if backend == "wasm" else (False,):
                    results.append(run_backend(chromium, bases[isolated], backend, paths, isolated))
        keras = keras_latency(paths, [r["boxes"] for r in results[0]["rows"]], args.repeat)

    print("\nPage start-up (open to ready, includes MesoNet + face detector load and warm-up)")
    print(f"{'runtime':28} {'ready ms':>9} {'MB before ready':>16}")
    for r in results:
        print(f"{r['backend']:28} {r['ready_ms']:9.0f} {r['ready_bytes'] / 1e6:16.2f}")
    print("\nPer image, warm (ms). classify = MesoNet on all faces incl. reading the score back;")
    print("keras = native Keras (tf.function) batch-1 on the same crops, median of", args.repeat)
    header = (f"{'image':28} {'size':>10} {'faces':>5} {'runtime':28} {'detect':>8} {'classify':>9} {'total':>8} "
              f"{'file':>8} {'keras':>7} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for r in results:
        for row in r["rows"]:
            k = keras[row["image"]]
            ratio = row["classify"] / k if k == k and k > 0 else float("nan")
            print(f"{row['image'][:28]:28} {row['size'][:10]:>10} {row['faces']:5d} {r['backend']:28} "
                  f"{row['detect']:8.1f} {row['classify']:9.1f} {row['total']:8.1f} {row['file']:8.1f} "
                  f"{k:7.1f} {ratio:6.2f}")
    print("\nMedian classify / keras per backend:")
    summary = []
    for r in results:
        ratios = [row["classify"] / keras[row["image"]] for row in r["rows"]
                  if keras[row["image"]] == keras[row["image"]] and row["faces"]]
        detects = [row["detect"] for row in r["rows"] if row["detect"] == row["detect"]]
        by_size = {row["size"]: row for row in r["rows"]}
        ratio = statistics.median(ratios) if ratios else float("nan")
        if ratios:
            print(f"  {r['backend']:28} {ratio:.2f}x")
        summary.append([r["backend"], f"{r['ready_ms']:.0f}", f"{r['ready_bytes'] / 1e6:.1f}",
                        f"{statistics.median(detects):.0f}" if detects else "–",
                        *(f"{by_size[size]['detect']:.0f}" if size in by_size else "–"
                          for size in ("640x480", "1920x1080")),
                        f"{statistics.median(row['file'] for row in r['rows']):.0f}",
                        f"{statistics.median(row['classify'] / max(row['faces'], 1) for row in r['rows']):.1f}",
                        f"{ratio:.2f}x"])
    table = markdown_table(["backend", "open to ready ms", "MB before ready", "face detection ms (median)",
                            "detection 640x480 ms", "detection 1920x1080 ms", "file to verdict ms (median)",
                            "classify ms per face (median)", "classify vs Keras"], summary)
    path = write_results("image_pipeline", {"results": results, "keras_ms": keras}, table)
    print(f"\n{table}\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
