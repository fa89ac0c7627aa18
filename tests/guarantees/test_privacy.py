"""Privacy of a whole user session (issue 6): everything a visitor does in one
page, while every request, WebSocket, beacon and form submission is recorded.
The only traffic allowed is same-origin GETs of the site's own static files
(blob: and data: URLs the page makes itself are local reads). And the page's
Content-Security-Policy, which enforces that, and hostile file names.

Run with `-rP` to see the request log (the distinct paths) of a passing run."""
import csv
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clips import face_clip, face_frames, face_picture
from conftest import FIXTURES, SITE_DIR, RecordedPage
from convert import browser, y4m
from convert.site_page import SitePage, rendered_text

REAL_FACES = sorted((FIXTURES / "real").glob("*.jpg"))
FAKE_FACES = sorted((FIXTURES / "df").glob("*.jpg"))
FACE = REAL_FACES[0]

# Counts every way a page could send data without a request we would see as
# one: navigator.sendBeacon (stubbed, so a beacon is counted, never sent),
# form.submit() / requestSubmit() and submit events (counted and stopped), and
# window.print (stubbed: headless printing would block).
WATCH = """
(() => {
  const seen = { beacons: [], forms: 0, prints: 0 };
  Object.defineProperty(window, '__session', { value: seen });
  if (navigator.sendBeacon) {
    navigator.sendBeacon = (url) => { seen.beacons.push(String(url)); return true; };
  }
  HTMLFormElement.prototype.submit = function () { seen.forms += 1; };
  HTMLFormElement.prototype.requestSubmit = function () { seen.forms += 1; };
  document.addEventListener('submit', (event) => { seen.forms += 1; event.preventDefault(); }, true);
  window.print = () => { seen.prints += 1; };
})();
"""


class Session:
    """A browser context whose every request (pages, workers, the service
    worker) and WebSocket is recorded, with WATCH installed in each page."""

    def __init__(self, chromium, site_url, query):
        self.site_url = site_url
        self.context = chromium.new_context(accept_downloads=True)
        self.context.add_init_script(WATCH)
        self.requests = []
        self.websockets = []
        self.context.on("request", lambda request: self.requests.append(request))
        page = self.context.new_page()
        page.on("websocket", lambda ws: self.websockets.append(ws.url))
        self.recorded = RecordedPage(page, site_url)
        self.page = page
        self.entry = f"{site_url}/index.html{query}"
        page.goto(self.entry)

    def watched(self):
        return self.page.evaluate("({ ...window.__session })")

    def disallowed(self):
        """Requests that are not a same-origin GET of an existing static file of the
        site, without a query string (except the page's own address)."""
        bad = []
        for request in self.requests + self.recorded.requests:
            url = request.url
            parts = urlsplit(url)
            if parts.scheme in ("blob", "data"):
                continue
            if request.method != "GET" or not url.startswith(self.site_url + "/"):
                bad.append(f"{request.method} {url}")
                continue
            if parts.query and url != self.entry:
                bad.append(f"query string: {url}")
                continue
            if request.post_data is not None:
                bad.append(f"body: {url}")
                continue
            if parts.path.startswith("/video-file/"):
                # The user's video, served to the page's <video> by the service worker
                # (site/sw.js) from the File itself: it must never reach the network.
                response = request.response()
                if response is None or not response.from_service_worker:
                    bad.append(f"a video file not answered by the service worker: {url}")
                continue
            local = SITE_DIR / parts.path.lstrip("/")
            if not (local.is_file() or (local.is_dir() and (local / "index.html").is_file())):
                bad.append(f"not a file of the site: {url}")
        return bad

    def paths(self):
        return sorted({urlsplit(r.url).path if urlsplit(r.url).scheme.startswith("http")
                       else f"{urlsplit(r.url).scheme}:" for r in self.requests + self.recorded.requests})

    def close(self):
        self.context.close()


@pytest.fixture
def session(chromium, site_url):
    sessions = []

    def _open(query="?backend=wasm"):
        sessions.append(Session(chromium, site_url, query))
        return sessions[-1]

    yield _open
    for s in sessions:
        s.close()


def add(page, paths, start, timeout=180_000):
    SitePage(page).add_files(paths, states=("done",), timeout_ms=timeout)
    cards = page.locator("[data-testid=result]")
    return [cards.nth(i) for i in range(start, start + len(paths))]


def model_name(model_id):
    return json.loads((SITE_DIR / "model" / model_id / "metadata.json").read_text())["name"]


def download(page, testid):
    with page.expect_download() as info:
        page.click(f"[data-testid={testid}]")
    return Path(info.value.path()).read_text(encoding="utf-8")


def check_no_leak(s):
    """The session's verdict; prints the request log first, so a failure shows it."""
    print("\nrequest log, distinct paths:\n  " + "\n  ".join(s.paths()))
    assert s.disallowed() == []
    assert s.websockets == []
    watched = s.watched()
    assert watched["beacons"] == [] and watched["forms"] == 0


def test_a_whole_session_requests_only_the_sites_own_static_files(session, tmp_path):
    s = session()
    page = s.page
    page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
    page.evaluate("navigator.serviceWorker.ready")  # the service worker's precache is part of the session
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=120_000)

    # Images: the fixture faces and a 640x480 picture with two of them.
    images = REAL_FACES + FAKE_FACES + [face_picture(tmp_path / "picture-640x480.jpg", FAKE_FACES, side=200)]
    cards = add(page, images, 0)
    assert all(c.get_attribute("data-p-real") is not None for c in cards)

    # Videos: clips made here of one fixture face, and of two people.
    clip = face_clip(tmp_path / "face.webm", [FAKE_FACES[1]], seconds=3)
    pair = face_clip(tmp_path / "pair.webm", [REAL_FACES[0], FAKE_FACES[0]], seconds=4, side=200)
    made, two = add(page, [clip, pair], len(images), timeout=300_000)
    assert made.get_attribute("data-kind") == two.get_attribute("data-kind") == "video"
    assert int(made.get_attribute("data-frames")) == 3 and int(two.get_attribute("data-frames")) == 4

    # Heatmaps: on every image card, and on a frame picked on a video's timeline.
    page.check("[data-testid=heatmap-toggle]")
    for card in cards:
        card.locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=180_000)
    made.locator("[data-testid=timeline] circle").nth(1).click()
    made.locator("[data-testid=frame-detail][data-heatmaps=done]").wait_for(timeout=180_000)

    # Another published model, then "my own model" from files on disk.
    page.select_option("[data-testid=model-select]", "mesoinception4-df")
    page.locator("[data-testid=model-name]", has_text=model_name("mesoinception4-df")).wait_for(timeout=120_000)
    own = tmp_path / "own-model"
    shutil.copytree(SITE_DIR / "model" / "meso4-f2f", own)
    page.set_input_files("[data-testid=own-model-input]", [str(p) for p in sorted(own.iterdir())])
    page.locator("[data-testid=model-name]", has_text=model_name("meso4-f2f")).wait_for(timeout=120_000)
    (scored,) = add(page, [REAL_FACES[0]], len(images) + 2)
    assert scored.get_attribute("data-p-real") is not None

    # Exports (downloads made in the page), print, clear.
    results = json.loads(download(page, "export-json"))["results"]
    assert len(results) == len(images) + 3
    rows = list(csv.DictReader(io.StringIO(download(page, "export-csv"))))
    assert {r["file"] for r in rows} >= {p.name for p in images}
    page.click("[data-testid=print]")
    assert s.watched()["prints"] == 1
    page.click("[data-testid=clear]")
    page.locator("[data-testid=result]").first.wait_for(state="detached", timeout=60_000)
    assert page.locator("[data-testid=result]").count() == 0

    assert s.recorded.errors == []
    assert any(r.service_worker for r in s.requests), "the service worker's own fetches were not recorded"
    check_no_leak(s)


def test_the_recorder_catches_what_it_must(session):
    """The checks above can fail: a POST, a query string, a request for a file
    the site does not have, a beacon and a form submission, made on purpose,
    are all reported. (A cross-origin request cannot be made here: the page's
    Content-Security-Policy blocks it before it is sent.)"""
    s = session()
    page = s.page
    page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
    page.evaluate("""() => {
      navigator.sendBeacon('collect', 'score=0.1');
      const form = document.createElement('form');
      document.body.append(form);
      form.requestSubmit();
      return Promise.allSettled([
        fetch('index.html', { method: 'POST', body: 'score=0.1' }),
        fetch('css/style.css?p=0.1'),
        fetch('not-a-file-of-the-site.js'),
      ]);
    }""")
    bad = s.disallowed()
    assert any(b.startswith("POST ") for b in bad), bad
    assert any(b.startswith("query string: ") for b in bad), bad
    assert any(b.startswith("not a file of the site: ") for b in bad), bad
    watched = s.watched()
    assert watched["beacons"] == ["collect"] and watched["forms"] >= 1


def test_webcam_session_sends_no_frame(chromium, site_url, tmp_path):
    """The webcam, fed a clip of a fixture face by Chromium's fake camera:
    live scores appear, and nothing but the site's own files is requested."""
    camera = tmp_path / "camera.y4m"
    y4m.write(camera, face_frames([FAKE_FACES[1]], 20, drift=0))
    args = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}"]
    # A second browser with the camera flags, inside the running Playwright.
    camera_browser = chromium.browser_type.launch(**browser.launch_options(args))
    try:
        s = Session(camera_browser, site_url, "?backend=wasm")
        s.context.grant_permissions(["camera"], origin=site_url)
        page = s.page
        page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
        page.click("[data-testid=webcam-toggle]")
        score = page.locator("[data-testid=live-score][data-p-real]")
        score.wait_for(timeout=120_000)
        assert 0 <= float(score.get_attribute("data-p-real")) <= 1
        page.click("[data-testid=webcam-toggle]")
        page.locator("[data-testid=webcam-toggle][aria-pressed=false]").wait_for(timeout=30_000)
        assert s.recorded.errors == []
        check_no_leak(s)
        s.close()
    finally:
        camera_browser.close()


def test_content_security_policy_allows_only_this_site():
    html = (SITE_DIR / "index.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    # blob: only for TF.js's WASM threads, which start from a script it makes in memory
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval' blob:"
    assert directives["worker-src"] == "'self' blob:"
    assert directives["connect-src"] == "'self'" and directives["form-action"] == "'none'"
    assert "unsafe-inline" not in policy and "http" not in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script in index.html"


def test_page_runs_under_its_policy_without_violations(open_page):
    page = open_page("?backend=wasm")
    messages = []
    page.page.on("console", lambda m: messages.append(m.text))
    page.wait_ready()
    page.add_files([FACE], states=("done",))
    assert not [m for m in messages if "Content Security Policy" in m], messages
    assert page.foreign_requests() == []


def test_hostile_file_name_is_shown_as_text(open_page, tmp_path):
    hostile = tmp_path / "<img src=x onerror=alert(1)>.jpg"
    shutil.copy(FACE, hostile)
    page = open_page("?backend=wasm")
    dialogs = []
    page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_ready()
    page.add_files([hostile], states=("done",))
    card = page.page.locator("[data-testid=result]").last
    assert card.get_attribute("data-file") == hostile.name
    assert hostile.name in rendered_text(card)
    assert page.page.locator("img[src=x]").count() == 0
    assert dialogs == [] and page.errors == []
