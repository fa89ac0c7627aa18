"""Shared fixtures: paths into ../shared, the site served on a free port,
headless Chromium, and pages that record every request they make."""
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convert import browser, webserver  # noqa: E402
from convert.constants import SHARED_DIR, SITE_DIR, SITE_MODEL_DIR, WEIGHTS_DIR_ENV  # noqa: E402

# Tests never touch the internet: published weights come from the shared mirror.
os.environ.setdefault(WEIGHTS_DIR_ENV, str(SHARED_DIR / "models"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FIXTURES = SHARED_DIR / "fixtures" / "mesonet-test-images"
DATASETS = SHARED_DIR / "datasets"
# The labelled clips: FF++ 640x480 (30 s) and DFDC 1920x1080 (10 s).
CLIPS = {
    "ffpp_real": DATASETS / "ffpp_c23_clips" / "real" / "519.mp4",
    "ffpp_fake": DATASETS / "ffpp_c23_clips" / "fake" / "519_515.mp4",
    "dfdc_real": DATASETS / "dfdc_clips" / "real" / "lynaeydofd.mp4",
    "dfdc_fake": DATASETS / "dfdc_clips" / "fake" / "abofeumbvv.mp4",
}


def pytest_collection_modifyitems(config, items):
    missing = [p for p in (FIXTURES, DATASETS, SHARED_DIR / "models") if not p.is_dir()]
    if missing:
        raise pytest.UsageError(f"test data not found: {', '.join(map(str, missing))} "
                                "(the tests read ../shared beside the repository)")


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


class RecordedPage:
    """A page plus every request it made and every script error it hit."""

    def __init__(self, page, origin):
        self.page = page
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
