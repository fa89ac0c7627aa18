"""The webcam live mode over a long run, beside the same work done natively.

A Y4M written here (a fixture face moving across 640x480 grey, 15 fps) is
Chromium's fake camera. The page runs the live mode on one backend (default
wasm) for --seconds, twice: as a first visit (one WASM thread) and as a
returning, cross-origin isolated one (WASM threads): processed frames per
second, per-frame detection and
classification times (the page's data-detect-ms / data-classify-ms, sampled
once a second), dropped frames, and tf.memory().numTensors (counted between
frames) and performance.memory.usedJSHeapSize (--enable-precise-memory-info)
at the start, middle and end. Natively, on the same Y4M frames: OpenCV
decode + OpenCV's Haar cascade face detection + Keras MesoNet (tf.function,
batch 1) on the square crop, frames per second.

    .venv/bin/python -m bench.webcam [--seconds 30] [--backend wasm] [--native-seconds 20]

The issue's memory check is a 5-minute run: --seconds 300.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

from bench.common import markdown_table, runtime_label, site_missing, site_visits, write_results
from convert import browser, cli, mesonet, y4m
from convert.constants import INPUT_CHANNELS, INPUT_SIZE, SHARED_DIR, SITE_DIR
from convert.preprocess import decode, to_input
from convert.site_page import SitePage
from convert.tfenv import tf

FACE = SHARED_DIR / "fixtures" / "mesonet-test-images" / "real" / "real00240.jpg"
SWEEP_FRAMES = 30  # frames for the face to cross the frame and back (1 s at the default 30 fps)
SWEEP_X = (220, 420)  # its centre's horizontal range, pixels
CROP_MARGIN = 1.2  # native only: square side over the Haar box's longer side (the page calibrates its own)
LIVE = "[data-testid=live-score]"
# The engine's tensors (its worker answers one request at a time: counted
# between two frames) and the page's JS heap, with the live score's data.
SAMPLE = f"""async () => {{
  const engine = await (await import('./js/app/main.js')).engine;
  if (engine.where !== 'worker') throw new Error(`the engine runs on the ${{engine.where}}, not in its worker`);
  const tensors = await engine.tensors();
  const score = document.querySelector('{LIVE}');
  return {{ t: performance.now(), tensors,
    heap: performance.memory ? performance.memory.usedJSHeapSize : null, ...score.dataset }};
}}"""


def camera_frames():
    """The frames, and where the face is in each (x, y, w, h)."""
    face = decode(FACE)
    half = SWEEP_FRAMES // 2
    xs = [round(SWEEP_X[0] + (SWEEP_X[1] - SWEEP_X[0]) * i / (half - 1)) for i in range(half)]
    centres = [(x, y4m.FRAME_SIZE[1] // 2) for x in xs + xs[::-1]]
    height, width = face.shape[:2]
    boxes = [(cx - width // 2, cy - height // 2, width, height) for cx, cy in centres]
    return [y4m.paste(face, centre=c) for c in centres], boxes


def run_page(url, y4m_path, backend, seconds):
    flags = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
             f"--use-file-for-fake-video-capture={y4m_path}", "--enable-precise-memory-info"]
    with browser.launch(extra_args=flags) as chromium:
        site = SitePage(chromium.new_page()).open(url, f"?backend={backend}")
        page = site.page
        active = site.wait_ready(timeout_ms=120_000)
        threads = int(page.get_attribute("[data-testid=threads]", "data-threads"))
        page.click("[data-testid=webcam-toggle]")
        page.wait_for_function(f"() => Number(document.querySelector('{LIVE}').dataset.processed) >= 5",
                               timeout=120_000)
        samples = {"start": page.evaluate(SAMPLE)}
        timings = []
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            page.wait_for_timeout(1000)
            data = page.evaluate(f"() => ({{ ...document.querySelector('{LIVE}').dataset }})")
            timings.append(data)
            if "middle" not in samples and time.monotonic() - started >= seconds / 2:
                samples["middle"] = page.evaluate(SAMPLE)
        samples["end"] = page.evaluate(SAMPLE)
        page.click("[data-testid=webcam-toggle]")
    return active, threads, samples, timings


def summarise(samples, timings):
    """Frame rates, per-frame timings and memory of one live run."""
    start, end = samples["start"], samples["end"]
    span = (end["t"] - start["t"]) / 1000
    processed = int(end["processed"]) - int(start["processed"])
    frames = int(end["frames"]) - int(start["frames"])
    return {
        "seconds": span, "fps": processed / span, "camera_fps": frames / span,
        "processed": processed, "frames": frames, "dropped": int(end["dropped"]) - int(start["dropped"]),
        "detect_ms": median_of(timings, "detectMs"), "classify_ms": median_of(timings, "classifyMs"),
        "frame_ms": median_of(timings, "frameMs"),
        "faces_seen": sum(1 for t in timings if t.get("faces") == "1") / max(len(timings), 1),
        "memory": {k: {"tensors": v["tensors"], "heap_mb": v["heap"] / 1e6 if v["heap"] else None}
                   for k, v in samples.items()},
    }


def native(frames_path, seconds, known_boxes):
    """OpenCV decode + Haar cascade + Keras MesoNet on the Y4M's frames, looped.

    OpenCV 5 (the version pinned in requirements.txt) moved the Haar cascade
    out of the main package: there, detection is reported as unavailable and
    each frame's face is cropped where it was pasted (decode + classification
    only). With OpenCV 4 on the path (e.g. `pip install --target DIR
    opencv-python-headless<5` and PYTHONPATH=DIR) the cascade runs.
    """
    model = mesonet.load_source("meso4-df").model
    call = tf.function(lambda x: model(x, training=False))
    haar = hasattr(cv2, "CascadeClassifier")
    if haar:
        cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))
    call(tf.zeros((1, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS))).numpy()  # trace
    frames = found = 0
    detect_ms, classify_ms = [], []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        capture = cv2.VideoCapture(str(frames_path))
        index = 0
        while time.perf_counter() - started < seconds:
            ok, bgr = capture.read()
            if not ok:
                break
            t = time.perf_counter()
            grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            if haar:
                faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(60, 60))
            else:
                faces = [known_boxes[index % len(known_boxes)]]
            index += 1
            detect_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            rgb = bgr[..., ::-1]
            height, width = grey.shape
            for x, y, w, h in faces:
                side = min(height, width, round(max(w, h) * CROP_MARGIN))
                cx, cy = x + w / 2, y + h / 2
                box = (min(max(round(cx - side / 2), 0), width - side),
                       min(max(round(cy - side / 2), 0), height - side), side, side)
                call(to_input(rgb, box)[None]).numpy()
            classify_ms.append((time.perf_counter() - t) * 1000)
            frames += 1
            found += len(faces) > 0
        capture.release()
    elapsed = time.perf_counter() - started
    return {"fps": frames / elapsed, "frames": frames, "found": found, "opencv": cv2.__version__,
            "haar": haar, "detect_ms": statistics.median(detect_ms) if haar else None,
            "classify_ms": statistics.median(classify_ms)}


def median_of(timings, key):
    values = [float(t[key]) for t in timings if t.get(key)]
    return statistics.median(values) if values else float("nan")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30,
                        help="length of each live run, first and returning visit (300 for the memory check)")
    parser.add_argument("--backend", default="wasm")
    parser.add_argument("--camera-fps", type=int, default=30,
                        help="the fake camera's frame rate (above the 15 fps target, so the page's own limit shows)")
    parser.add_argument("--native-seconds", type=float, default=20, help="length of the native run")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    with tempfile.TemporaryDirectory() as folder:
        frames_rgb, boxes = camera_frames()
        path = y4m.write(Path(folder) / "camera.y4m", frames_rgb, rate=args.camera_fps)
        runs = {}
        with site_visits({"/": SITE_DIR}) as bases:
            for isolated, url in bases.items():
                runs[isolated] = run_page(url, path, args.backend, args.seconds)
        keras = native(path, args.native_seconds, boxes)

    pages, rows = {}, []
    for isolated, (active, threads, samples, timings) in runs.items():
        page = summarise(samples, timings)
        label = runtime_label(active, threads, isolated)
        pages[label] = page
        rows.append([f"page, {label}: BlazeFace on every frame + MesoNet", f"{page['fps']:.1f}",
                     f"{page['detect_ms']:.0f}", f"{page['classify_ms']:.1f}",
                     f"{page['dropped']} of {page['frames']} ({page['camera_fps']:.1f} fps camera)",
                     f"{page['faces_seen']:.0%} of samples"])
    rows.append([
        f"native: OpenCV {keras['opencv']} decode + "
        + ("Haar cascade + Keras" if keras["haar"] else "Keras (no Haar cascade in this OpenCV: face box given)"),
        f"{keras['fps']:.1f}", f"{keras['detect_ms']:.0f}" if keras["haar"] else "n/a",
        f"{keras['classify_ms']:.1f}", "-",
        f"{keras['found'] / max(keras['frames'], 1):.0%} of frames" if keras["haar"] else "given"])
    table = markdown_table(["pipeline", "frames/s", "detection ms (median)", "classification ms (median)",
                            "dropped", "face found"], rows)
    memory = markdown_table(["page", "when", "numTensors", "JS heap MB"],
                            [[label, k, v["tensors"], f"{v['heap_mb']:.1f}" if v["heap_mb"] else "n/a"]
                             for label, page in pages.items() for k, v in page["memory"].items()])
    span = min(page["seconds"] for page in pages.values())
    print(f"\nWebcam live mode over {span:.0f} s, 640x480, camera at {args.camera_fps} fps\n")
    print(table)
    print()
    print(memory)
    data = {"pages": pages, "native": keras, "seconds": args.seconds}
    print(f"\nwritten to {write_results('webcam', data, table + chr(10) + chr(10) + memory)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
