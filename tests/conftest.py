"""Shared fixtures: test data, the site served on a free port, headless
Chromium, and pages that record every request they make.

Test data: the four MesoNet test images the repository carries (FIXTURES),
and media the tests make from them (tests/clips.py, convert/y4m.py). Tests
marked `datasets` need the labelled research data in ../shared/datasets
(never in the repository): without it they are skipped with one line saying
so, unless $MESONET_REQUIRE_DATASETS=1 (CI), where a missing data set or any
skipped test fails the run."""
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clips import face_clip, face_picture  # noqa: E402
from convert import browser, webserver  # noqa: E402
from convert.constants import (  # noqa: E402
    SHARED_DATASETS_DIR,
    SHARED_DIR,
    SITE_DIR,
    SITE_MODEL_DIR,
    TEST_IMAGES_DIR,
    WEIGHTS_DIR_ENV,
)
from convert.site_page import CARD, SitePage  # noqa: E402

# Published weights: $MESONET_WEIGHTS_DIR, else the shared mirror beside the
# repository when it is there (CI: no test touches the internet), else the
# download cache (a user's clone downloads them once, sha256 checked).
if (SHARED_DIR / "models").is_dir():
    os.environ.setdefault(WEIGHTS_DIR_ENV, str(SHARED_DIR / "models"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FIXTURES = TEST_IMAGES_DIR
DATASETS = SHARED_DATASETS_DIR
REQUIRE_DATASETS_ENV = "MESONET_REQUIRE_DATASETS"
DATASETS_MISSING = f"needs the labelled research data in {DATASETS} (not in the repository)"
# The labelled clips: FF++ 640x480 (30 s) and DFDC 1920x1080 (10 s).
CLIPS = {
    "ffpp_real": DATASETS / "ffpp_c23_clips" / "real" / "519.mp4",
    "ffpp_fake": DATASETS / "ffpp_c23_clips" / "fake" / "519_515.mp4",
    "dfdc_real": DATASETS / "dfdc_clips" / "real" / "lynaeydofd.mp4",
    "dfdc_fake": DATASETS / "dfdc_clips" / "fake" / "abofeumbvv.mp4",
}


def datasets_required():
    return os.environ.get(REQUIRE_DATASETS_ENV) == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", f"datasets: {DATASETS_MISSING}; skipped without it")


def pytest_collection_modifyitems(config, items):
    if DATASETS.is_dir():
        return
    if datasets_required():
        raise pytest.UsageError(f"${REQUIRE_DATASETS_ENV}=1 but {DATASETS} is missing")
    skip = pytest.mark.skip(reason=DATASETS_MISSING)
    for item in items:
        if "datasets" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """Where the data must be there (CI), a skipped test is a failure: it
    would hide a check that did not run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if datasets_required() and skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped with ${REQUIRE_DATASETS_ENV}=1: "
                            + "; ".join(r.nodeid for r in skipped), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def site_model():
    """The default model exported into site/model (build output), with its metadata."""
    from convert import metadata
    from convert.constants import DEFAULT_MODEL_ID

    folder = SITE_MODEL_DIR / DEFAULT_MODEL_ID
    if not (folder / "metadata.json").is_file():
        from convert.export import export

        export(DEFAULT_MODEL_ID, folder, check_parity=False, log=lambda _: None)
    return metadata.read(folder)


@pytest.fixture(scope="session")
def site_url(site_model):
    if not (SITE_DIR / "vendor" / "tf.js").is_file():
        raise pytest.UsageError("site/vendor is missing: run `npm ci && npm run build` first")
    with webserver.serve({"/": SITE_DIR}) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    with browser.launch() as instance:
        yield instance


def linked_site(folder, files=None):
    """The built site in `folder` as links to its files (nothing copied), with
    `files` ({path in the site: text}) written in place of the linked ones;
    returns the folder."""
    files = {Path(path): text for path, text in (files or {}).items()}

    def fill(source, target):
        target.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            path = (target / item.name).relative_to(folder)
            if any(path in replaced.parents for replaced in files):
                fill(item, target / item.name)  # a folder holding a replaced file
            elif path not in files:
                (target / item.name).symlink_to(item)

    fill(SITE_DIR, folder)
    for path, text in files.items():
        (folder / path).write_text(text)
    return folder


# vendor/mediabunny.js made to fail where WebCodecs reading fails in real
# browsers (site_with_mediabunny puts the real bundle beside it).
MEDIABUNNY_CANNOT_DECODE = """export * from './mediabunny-real.js';
import { Input as RealInput } from './mediabunny-real.js';
// This browser's WebCodecs says no to every video track.
export class Input extends RealInput {
  async getPrimaryVideoTrack(...args) {
    const track = await super.getPrimaryVideoTrack(...args);
    if (track) track.canDecode = async () => false;
    return track;
  }
}
"""
MEDIABUNNY_FAILS_AT_FRAME = """export * from './mediabunny-real.js';
import { VideoSampleSink as RealSink } from './mediabunny-real.js';
// The decoder fails after %d frames, as a decoder error mid-file does.
export class VideoSampleSink extends RealSink {
  async* samplesAtTimestamps(...args) {
    let given = 0;
    for await (const sample of super.samplesAtTimestamps(...args)) {
      if (given === %d) {
        sample?.close();
        throw new Error('Decoding error (test: the decoder fails here)');
      }
      given += 1;
      yield sample;
    }
  }
}
"""


def site_with_mediabunny(folder, wrapper):
    """The site with vendor/mediabunny.js replaced by `wrapper` (one of the above)."""
    linked_site(folder, {"vendor/mediabunny.js": wrapper})
    (folder / "vendor" / "mediabunny-real.js").symlink_to(SITE_DIR / "vendor" / "mediabunny.js")
    return folder


class RecordedPage(SitePage):
    """The site's page object (convert/site_page.py) plus every request the
    page made and every script error it hit."""

    def __init__(self, page, origin):
        super().__init__(page)
        self.origin = origin
        self.requests = []
        self.errors = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def foreign_requests(self):
        """Requests that are not a same-origin GET (or a local blob:/data: read)."""
        bad = []
        for request in self.requests:
            scheme = urlsplit(request.url).scheme
            if scheme in ("blob", "data"):
                continue
            same_origin = request.url.startswith(self.origin + "/")
            if not same_origin or request.method != "GET":
                bad.append(f"{request.method} {request.url}")
        return bad


@pytest.fixture
def open_page(chromium, site_url):
    """open_page(query="") -> RecordedPage at the site's index with that query."""
    contexts = []

    def _open(query=""):
        context = chromium.new_context()
        contexts.append(context)
        page = context.new_page()
        recorded = RecordedPage(page, site_url)
        page.goto(f"{site_url}/index.html{query}")
        return recorded

    yield _open
    for context in contexts:
        context.close()


def show_every_kind_of_result(page, tmp_path):
    """A page (RecordedPage) with a result of each kind on it: a face crop, a
    picture with two faces, a 2 s video, heatmaps on, the video's second
    frame selected with its maps drawn. The cards, as a locator."""
    faces = sorted(FIXTURES.glob("*/*.jpg"))
    picture = face_picture(tmp_path / "two-people.jpg", faces[1:3], side=200)
    clip = face_clip(tmp_path / "faces.webm", faces[:2], seconds=2, fps=10, side=200)
    page.page.check("[data-testid=heatmap-toggle]")
    page.add_files([faces[0], picture, clip])
    cards = page.page.locator(CARD)
    for i in range(2):
        cards.nth(i).locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=90_000)
    cards.nth(2).locator("[data-testid=timeline] circle").nth(1).click()
    cards.nth(2).locator("[data-testid=frame-detail][data-heatmaps=done]").wait_for(timeout=90_000)
    return cards
