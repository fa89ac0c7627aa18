"""Score the same inputs with Keras and with the converted model in real TF.js
(headless Chromium, through the site's own loader), and compare."""
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from convert import browser, webserver
from convert.constants import (
    INPUT_CHANNELS,
    INPUT_SIZE,
    PARITY_MAX_IMAGES,
    PARITY_RANDOM_INPUTS,
    PARITY_SEED,
    PARITY_SYNTHETIC_INPUTS,
    REPO_ROOT,
    SHARED_DATASETS_DIR,
    SITE_DIR,
    TEST_IMAGES_DIR,
)
from convert.errors import ConvertError
from convert.preprocess import IMAGE_SUFFIXES, decode, to_input

HARNESS_DIR = Path(__file__).parent / "harness"
PAGE_TIMEOUT_MS = 120_000


def parity_images(extra=None):
    """The images parity is checked on, as [(where they come from, paths)]:
    the repository's four MesoNet test images, then the images or folders in
    `extra` (--parity-images; an empty list: none), or, when extra is None and
    the labelled research data sits beside the repository (../shared/datasets),
    an even sample of it."""
    groups = [(f"{TEST_IMAGES_DIR.relative_to(REPO_ROOT)} (in the repository)",
               list_images([TEST_IMAGES_DIR]))]
    if extra is not None:
        groups.append(("--parity-images", list_images(extra)))
    elif SHARED_DATASETS_DIR.is_dir():
        dataset = list_images([SHARED_DATASETS_DIR])
        room = max(PARITY_MAX_IMAGES - len(groups[0][1]), 0)
        step = max(len(dataset) // room, 1) if room else len(dataset) + 1
        groups.append((f"{SHARED_DATASETS_DIR} (labelled data beside the repository)",
                       dataset[::step][:room]))
    return [(where, paths) for where, paths in groups if paths]


def list_images(paths):
    """Image files under the given files or directories, sorted."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise ConvertError(path, "parity image not found")
    return found


def synthetic_inputs(kinds=PARITY_SYNTHETIC_INPUTS):
    """Model inputs no photo gives: all 0, all 1, a colour gradient, a fine
    checkerboard (saturated activations, high frequencies)."""
    y, x = np.mgrid[0:INPUT_SIZE, 0:INPUT_SIZE].astype(np.float32) / (INPUT_SIZE - 1)
    shape = (INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS)
    made = {
        "black": np.zeros(shape, np.float32),
        "white": np.ones(shape, np.float32),
        "gradient": np.stack([x, y, 1 - x], axis=-1),
        "checkerboard": np.repeat((((np.indices((INPUT_SIZE, INPUT_SIZE)).sum(0)) % 2)
                                   .astype(np.float32))[..., None], INPUT_CHANNELS, axis=-1),
    }
    return [made[kind] for kind in kinds], [f"synthetic-{kind}" for kind in kinds]


def parity_inputs(image_paths, n_random=PARITY_RANDOM_INPUTS, seed=PARITY_SEED, synthetic=()):
    """(inputs float32 [N, S, S, 3], names): images, then uniform random tensors
    in [0, 1], then the synthetic inputs named."""
    images = [to_input(decode(p)) for p in image_paths]
    rng = np.random.default_rng(seed)
    shape = (INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS)
    randoms = [rng.random(shape, dtype=np.float32) for _ in range(n_random)]
    made, made_names = synthetic_inputs(synthetic)
    names = [str(p) for p in image_paths] + [f"random-{i}" for i in range(n_random)] + made_names
    return np.stack(images + randoms + made).astype(np.float32), names


def browser_scores(model_dir, inputs, backends):
    """{backend: {"scores": float32 array, "float32_textures": bool|None, "leaked": int}}
    or {backend: {"error": message}} for a backend this browser cannot start."""
    def score(page, base, shape):
        result = page.evaluate("([m, i, s]) => window.harness.score(m, i, s)",
                               [f"{base}/__model__/", f"{base}/__inputs__/inputs.bin", shape])
        return {"scores": np.asarray(result["scores"], np.float32), "leaked": result["leaked"],
                "float32_textures": page.evaluate("window.harness.float32Textures"),
                "threads": page.evaluate("window.harness.threads")}

    return run_in_harness(model_dir, inputs, backends, score)


def run_in_harness(model_dir, inputs, backends, call):
    """Serve the model and inputs, open the harness page once per backend and
    return {backend: call(page, base_url, input shape)}, or {backend: {"error": why}}
    for a backend this browser cannot start."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "inputs.bin").write_bytes(np.ascontiguousarray(inputs, "<f4").tobytes())
        routes = {**harness_routes(model_dir), "/__inputs__": tmp}
        # isolated: WASM runs with threads, as the site does for a returning visitor
        with webserver.serve(routes, isolated=True) as base, browser.launch() as chromium:
            for backend in backends:
                with harness_page(chromium, base, backend) as (page, _, reason):
                    results[backend] = {"error": reason} if reason else \
                        call(page, base, list(inputs.shape))
    return results


def harness_routes(model_dir):
    """Server routes for the harness page: the site, the harness, the model."""
    return {"/": SITE_DIR, "/__harness__": HARNESS_DIR, "/__model__": model_dir}


@contextmanager
def harness_page(chromium, base, backend):
    """The harness page on one backend; yields (page, active backend or None, reason)."""
    page = chromium.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}/__harness__/index.html?backend={backend}")
        try:
            active = page.evaluate("window.harnessReady")
        except Exception as exc:  # the backend failed to start in this browser
            yield page, None, str(exc).splitlines()[0]
            return
        yield page, active, None if active == backend else f"asked for {backend}, got {active}"
    except Exception as exc:
        detail = "; ".join(errors) or str(exc).splitlines()[0]
        raise ConvertError(base, f"TF.js harness failed on {backend}: {detail}") from exc
    finally:
        page.close()


def compare(reference, by_backend, names, tolerances):
    """Parity report: max |delta P(real)| per backend against its tolerance."""
    report = {}
    for backend, result in by_backend.items():
        if "error" in result:
            report[backend] = {"available": False, "reason": result["error"]}
            continue
        delta = np.abs(result["scores"].astype(np.float64) - reference.astype(np.float64))
        worst = int(np.argmax(delta))
        report[backend] = {
            "available": True,
            "max_abs_diff": float(delta[worst]),
            "mean_abs_diff": float(delta.mean()),
            "worst_input": Path(names[worst]).name,
            "tolerance": tolerances[backend],
            "passed": bool(delta[worst] <= tolerances[backend]),
            "float32_textures": result["float32_textures"],
            "threads": result["threads"],
            "tensors_leaked": result["leaked"],
        }
    return report
