"""The face detector (BlazeFace, site/js/engine/face-detector.js) in the page: time,
recall on the labelled face crops, small faces in 1080p frames, and pictures
without faces. Prints figures; not a test.

- time: warm median of one detect() call (in-page performance.now(), after
  1 s of calls) on a 640x480 FF++ frame, a 1080p DFDC frame and a face crop
  (the first MesoNet test image), for each
  setting, beside MesoNet's time for one face in the same page (the
  machine is shared: compare the ratios of one run).
- crops: share of mesonet_df_validation and dfdc_faces224 crops where the
  detector finds a face, by score threshold.
- small: fixture faces (data/mesonet-test-images) shrunk so that the face
  (the detector's box on the full-size fixture) is ~36, ~54 and ~70 px, pasted into 1080p DFDC frames and grey
  frames, one face a picture, 30 pictures a size; and three ~70 px faces in
  each of 10 pictures. Found: a detection scoring at least --min-score whose
  centre is in the pasted crop.
- no face: a gradient, noise, two photographs without people (scikit-learn's
  sample images), and DFDC/FF++ frame backgrounds with the people cut away.

    .venv/bin/python -m bench.face_detector [--only time,crops,small,noface] [--settings whole,site]
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_images

from bench.common import markdown_table, site_missing, write_results
from bench.detector_page import detector_page
from convert import cli
from convert.constants import INPUT_CHANNELS, INPUT_SIZE, SHARED_DIR, TEST_IMAGES_DIR
from convert.preprocess import decode

DATASETS = SHARED_DIR / "datasets"
FACES = sorted(TEST_IMAGES_DIR.glob("*/*.jpg"))
CLIPS = {"ffpp": DATASETS / "ffpp_c23_clips" / "real" / "519.mp4",
         "dfdc_real": DATASETS / "dfdc_clips" / "real" / "lynaeydofd.mp4",
         "dfdc_fake": DATASETS / "dfdc_clips" / "fake" / "abofeumbvv.mp4"}
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
SMALL_SIDES = (36, 54, 70)
# Detector settings (loadFaceDetector's options); "site": its defaults (the quick
# 128 px pass for nearly square pictures, tiles for every picture over 1280 px,
# the padded retry for nearly square pictures).
NO_TILES = {"above": 1e9, "side": 0.5625, "overlap": 0.125, "skip": 0}
RETRY = {"below": 0.5, "padding": 0.25, "maxAspect": 1.25}
SETTINGS = {"whole": {"tiling": NO_TILES, "retry": None, "quick": None},
            "whole+retry": {"tiling": NO_TILES, "retry": RETRY, "quick": None},
            "always tiles": {"tiling": {**NO_TILES, "above": 1280, "skip": 1e9}, "retry": RETRY, "quick": None},
            "tiles unless a large face": {"tiling": {**NO_TILES, "above": 1280, "skip": 1 / 16}, "retry": RETRY,
                                          "quick": None},
            "no quick pass": {"quick": None},
            "site": None}
MESONET_MS = """async (shape) => {
  const tf = await import('/vendor/tf.js');
  const { loadMesoNet } = await import('/js/engine/model.js');
  const model = await loadMesoNet(new URL('/model/meso4-df/', location.href).href);
  const x = tf.zeros(shape);
  const started = performance.now();
  while (performance.now() - started < 1000) await model.predict(x);
  const times = [];
  for (let i = 0; i < 15; i += 1) {
    const t = performance.now(); await model.predict(x); times.push(performance.now() - t);
  }
  x.dispose(); model.dispose();
  times.sort((a, b) => a - b);
  return times[7];
}"""


def frame(clip, index):
    capture = cv2.VideoCapture(str(clip))
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = capture.read()
    capture.release()
    assert ok, (clip, index)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def save(folder, name, rgb):
    Image.fromarray(rgb).save(Path(folder) / name, quality=92)
    return name


def centre_inside(d, square):
    x, y, s = square
    cx, cy = d["x"] + d["width"] / 2, d["y"] + d["height"] / 2
    return x <= cx <= x + s and y <= cy <= y + s


def small_faces(folder, detect, rng):
    """Pictures with pasted small faces: [(name, [(x, y, side)], size label)]."""
    faces = [decode(p) for p in FACES]
    # A face's size is the side of its detector box: each fixture is shrunk so that its
    # face (boxed on the full-size fixture) has the wanted side.
    face_share = [max(d["width"] for d in found) / face.shape[1] for found, face in zip(
        detect([f"fixtures/{p.parent.name}/{p.name}" for p in FACES]), faces)]
    backgrounds = [frame(CLIPS[c], 30 * t) for c in ("dfdc_real", "dfdc_fake") for t in (1, 3, 5, 7, 9)]
    names = [save(folder, f"bg{i}.jpg", bg) for i, bg in enumerate(backgrounds)]
    # Where the people of the frames are: no pasting there.
    taken = [[(d["x"] - 40, d["y"] - 40, d["width"] + 80, d["height"] + 80) for d in found]
             for found in detect(names)]
    grey = np.full((1080, 1920, 3), 128, np.uint8)
    cases = []

    def place(background, avoid, sides):
        picture = background.copy()
        squares = []
        for face_side in sides:
            which = len(cases) % len(faces)
            side = round(face_side / face_share[which])
            for _ in range(200):
                x, y = int(rng.integers(0, 1920 - side)), int(rng.integers(0, 1080 - side))
                boxes = avoid + [(sx - 20, sy - 20, ss + 40, ss + 40) for sx, sy, ss in squares]
                if all(x + side < bx or bx + bw < x or y + side < by or by + bh < y for bx, by, bw, bh in boxes):
                    break
            face = cv2.resize(faces[which], (side, side), interpolation=cv2.INTER_AREA)
            picture[y:y + side, x:x + side] = face
            squares.append((x, y, side))
        return picture, squares

    for side in SMALL_SIDES:
        for i in range(30):
            b = i % len(backgrounds)
            picture, squares = place(backgrounds[b], taken[b], [side])
            cases.append((save(folder, f"small{side}-{i}.jpg", picture), squares, f"{side} px, DFDC frame"))
        for i in range(12):
            picture, squares = place(grey, [], [side])
            cases.append((save(folder, f"grey{side}-{i}.jpg", picture), squares, f"{side} px, grey"))
    for i in range(10):
        b = i % len(backgrounds)
        picture, squares = place(backgrounds[b], taken[b], [70, 70, 70])
        cases.append((save(folder, f"three70-{i}.jpg", picture), squares, "three 70 px faces, DFDC frame"))
    return cases


def no_face_pictures(folder, detect):
    names = []
    y, x = np.mgrid[0:240, 0:320]
    names.append(save(folder, "gradient.png",
                      np.stack([x * 255 // 320, y * 255 // 240, np.full_like(x, 128)], -1).astype(np.uint8)))
    y, x = np.mgrid[0:1080, 0:1920]
    names.append(save(folder, "gradient-1080.png",
                      np.stack([x * 255 // 1920, y * 255 // 1080, 255 - x * 255 // 1920], -1).astype(np.uint8)))
    rng = np.random.default_rng(0)
    names.append(save(folder, "noise.png", rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)))
    for i, image in enumerate(load_sample_images().images):  # china.jpg (a temple), flower.jpg
        names.append(save(folder, f"sample{i}.jpg", image))
        names.append(save(folder, f"sample{i}-crop.jpg", image[100:356, 200:456]))
    # Frame backgrounds: the part of each frame away from its person.
    for clip in CLIPS.values():
        rgb = frame(clip, 30)
        name = save(folder, f"frame-{clip.stem}.jpg", rgb)
        [found] = detect([name])
        h, w = rgb.shape[:2]
        left = min(d["x"] for d in found) if found else w
        right = max(d["x"] + d["width"] for d in found) if found else 0
        part = rgb[:, : int(left * 0.8)] if left > w - right else rgb[:, int(right + (w - right) * 0.2):]
        if part.shape[1] > 64:
            names.append(save(folder, f"background-{clip.stem}.jpg", np.ascontiguousarray(part)))
    return names


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="time,crops,small,noface")
    parser.add_argument("--settings", default="whole,whole+retry,tiles unless a large face,no quick pass,site")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    if site_missing():
        return 2
    only = set(args.only.split(","))
    settings = args.settings.split(",")
    results = {}
    lines = []
    with tempfile.TemporaryDirectory() as folder, detector_page(folder) as detect:
        for name, target in (("mesonet", DATASETS / "mesonet_df_validation"), ("dfdc", DATASETS / "dfdc_faces224"),
                             ("fixtures", TEST_IMAGES_DIR)):
            (Path(folder) / name).symlink_to(target)
        if "time" in only:
            times = {"640x480": save(folder, "frame-640.jpg", frame(CLIPS["ffpp"], 30)),
                     "1920x1080": save(folder, "frame-1080.jpg", frame(CLIPS["dfdc_real"], 30)),
                     "face crop": f"fixtures/{FACES[0].parent.name}/{FACES[0].name}"}
            mesonet = detect.page.evaluate(MESONET_MS, [1, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS])
            rows = []
            for size, name in times.items():
                for setting in settings:
                    ms = detect.time(name, SETTINGS[setting])
                    rows.append([size, setting, f"{ms:.1f}", f"{ms / mesonet:.1f}"])
            results["time"] = {"mesonet_ms": mesonet, "rows": rows}
            lines += ["", f"Detection, warm median ms (MesoNet, one face, same page: {mesonet:.1f} ms)",
                      markdown_table(["picture", "setting", "detect ms", "x MesoNet"], rows)]
        if "crops" in only:
            rows = []
            for name in ("mesonet", "dfdc"):
                crops = DATASETS / ("mesonet_df_validation" if name == "mesonet" else "dfdc_faces224")
                files = sorted(p.relative_to(DATASETS).as_posix() for p in crops.glob("*/*.jpg"))
                for setting in [s for s in settings if "tiles" not in s]:
                    found = detect([f"{name}/{Path(f).parent.name}/{Path(f).name}" for f in files], SETTINGS[setting])
                    best = np.array([max((d["score"] for d in ds), default=0) for ds in found])
                    results[f"crops_{name}_{setting}"] = best.tolist()
                    rows.append([name, setting, len(best)] + [f"{np.mean(best >= t) * 100:.1f}%" for t in THRESHOLDS])
            lines += ["", "Face crops with a face found, by score threshold",
                      markdown_table(["crops", "setting", "n"] + [f">= {t}" for t in THRESHOLDS], rows)]
        if "small" in only:
            cases = small_faces(folder, detect, np.random.default_rng(args.seed))
            rows = []
            levels = THRESHOLDS[1:]
            for setting in [s for s in settings if s != "whole+retry"]:
                found = detect([c[0] for c in cases], SETTINGS[setting])
                tally = {}
                for (_, squares, label), ds in zip(cases, found):
                    t = tally.setdefault(label, [0] * len(levels) + [0])
                    for k, level in enumerate(levels):
                        t[k] += sum(any(centre_inside(d, s) for d in ds if d["score"] >= level) for s in squares)
                    t[-1] += len(squares)
                rows += [[label, setting] + [f"{h} of {t[-1]}" for h in t[:-1]] for label, t in tally.items()]
            results["small"] = rows
            lines += ["", "Small faces in 1080p pictures found, by score threshold",
                      markdown_table(["faces", "setting"] + [f">= {t}" for t in levels], rows)]
        if "noface" in only:
            names = no_face_pictures(folder, detect)
            rows = []
            for setting in [s for s in settings if s in ("whole", "site")]:
                for name, ds in zip(names, detect(names, SETTINGS[setting])):
                    rows.append([name, setting, len(ds), f"{max((d['score'] for d in ds), default=0):.2f}"])
            results["noface"] = rows
            lines += ["", "Pictures without faces: detections (score >= 0.3) and the best score",
                      markdown_table(["picture", "setting", "detections", "best score"], rows)]
        results["tensors_after"] = detect.tensors()
    table = "\n".join(lines)
    path = write_results("face_detector", results, table)
    print(f"{table}\n\nwritten: {path}")
    print(json.dumps({"tensors": results["tensors_after"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
