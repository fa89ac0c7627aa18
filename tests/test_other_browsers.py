"""The page in Firefox and in Safari's engine (WebKitGTK), issue 20: it
starts, scores the fixture faces exactly as Chromium does, switches models,
draws heatmaps, reads a clip into frames, and asks for nothing but the
site's own files. Driven through Selenium (tests/browsers.py); Chromium, the
reference here, stays on Playwright.

Every test id and assertion message names its engine ("firefox", "webkit").
Known gaps are strict xfails: when the fix lands they turn red, and the
marker is removed."""
import time

import numpy as np
import pytest

import browsers
from clips import face_clip
from conftest import CLIPS, FIXTURES

FACES = sorted((FIXTURES / "df").glob("*.jpg")) + sorted((FIXTURES / "real").glob("*.jpg"))
REAL_FACES = sorted((FIXTURES / "real").glob("*.jpg"))
FAKE_FACES = sorted((FIXTURES / "df").glob("*.jpg"))
# Same WASM code on the same crops: the engines differ only by their JPEG
# decoders (libjpeg-turbo in all three here). Measured: Firefox identical,
# WebKit within 1e-7.
ENGINE_TOLERANCE = 1e-6
# A VP8 clip's frames: each engine turns YUV into RGB its own way (see
# test_video.MADE_CLIP_DECODE_TOLERANCE, Chromium against OpenCV).
FRAME_TOLERANCE = 2e-2
# The H.264 FF++ clip: Firefox (system libavcodec, its own YUV to RGB) against
# Chromium, measured up to 0.033 on one of 5 frames (0.199 against 0.166).
MP4_FRAME_TOLERANCE = 5e-2

# The measured failures of WebKit's <video> path (issue 20). An H.264 MP4
# from a blob: URL never plays (GStreamer: "Invalid NAL unit size", qtdemux
# "Internal data stream error"; the same file over http plays): strict, so
# it turns red when the engine's video path lands. A VP8 WebM from a blob:
# plays, but the first video of a fresh session reads stale frames (the
# 0.5 s sample blank, the 1.5 s one showing 0.5 s; measured in 3 of 4 fresh
# sessions, later videos right): not strict, since it sometimes passes.
WEBKIT_NO_BLOB_VIDEO = pytest.mark.xfail(
    strict=True, reason="WebKit cannot play blob: URLs (issue 20): the engine's video path replaces this")
WEBKIT_STALE_FIRST_VIDEO = pytest.mark.xfail(
    strict=False, reason="WebKit's first video in a session reads stale frames from a seeking <video> "
                         "(issue 20, flaky so not strict): the engine's video path replaces this")


def engine_param(*marks_for_webkit):
    return pytest.mark.parametrize("engine", [
        pytest.param("firefox", id="firefox"),
        pytest.param("webkit", id="webkit", marks=list(marks_for_webkit))])


@pytest.fixture
def session(engine, site_model):
    """A fresh browser of `engine` (clean profile) on the site."""
    reason = browsers.missing(engine)
    if reason:
        pytest.skip(reason)
    with browsers.open_engine(engine) as s:
        yield s


def playwright_cards(chromium, site_url, paths, query="?backend=wasm", max_frames=None):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html{query}")
        page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
        if max_frames:
            page.fill("[data-testid=video-max-frames]", str(max_frames))
        page.set_input_files("[data-testid=file-input]", [str(p) for p in paths])
        cards = page.locator("[data-testid=result]")
        for i in range(len(paths)):
            cards.nth(i).locator("xpath=self::*[@data-state='done' or @data-state='error']").wait_for(
                timeout=120_000)
        return cards.evaluate_all("""cards => cards.map((c) => ({
          state: c.dataset.state, p_real: Number(c.dataset.pReal),
          frames: [...c.querySelectorAll('[data-testid=frame]')].map((f) => ({
            time: Number(f.dataset.time), p_real: f.dataset.pReal === undefined ? null : Number(f.dataset.pReal) })),
        }))""")
    finally:
        context.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 3 s VP8 WebM of one real and one fake fixture face (30 frames at 10 fps)."""
    return face_clip(tmp_path_factory.mktemp("clip") / "two-people.webm", [REAL_FACES[0], FAKE_FACES[1]],
                     seconds=3, side=200)


@pytest.fixture(scope="module")
def chromium_faces(chromium, site_url):
    """Chromium's P(real) for the four fixture faces (WASM)."""
    return [c["p_real"] for c in playwright_cards(chromium, site_url, FACES)]


@pytest.fixture(scope="module")
def chromium_clip(chromium, site_url, clip):
    (card,) = playwright_cards(chromium, site_url, [clip])
    assert card["state"] == "done"
    return card


MP4_FRAMES = 5  # of the 30 s FF++ clip: enough to read it, short on 2 cores


@pytest.fixture(scope="module")
def chromium_mp4(chromium, site_url):
    (card,) = playwright_cards(chromium, site_url, [CLIPS["ffpp_fake"]], max_frames=MP4_FRAMES)
    assert card["state"] == "done"
    return card


@pytest.fixture
def probe_site(tmp_path):
    """The site plus a worker script that fetches from elsewhere (links, not copies)."""
    from convert.constants import SITE_DIR

    folder = tmp_path / "site"
    folder.mkdir()
    for item in SITE_DIR.iterdir():
        (folder / item.name).symlink_to(item)
    (folder / "probe-worker.js").write_text("fetch('http://mesonet-probe.invalid/from-worker').catch(() => {});\n")
    return folder


@engine_param()
def test_recorder_catches_requests_elsewhere(engine, probe_site, site_model):
    """The request record is not blind: a fetch to another host from the page
    and from a worker, an image from elsewhere and a POST are all reported."""
    reason = browsers.missing(engine)
    if reason:
        pytest.skip(reason)
    with browsers.open_engine(engine, site_dir=probe_site) as s:
        s.open("?backend=wasm")
        s.wait_ready()
        assert s.foreign_requests(settle=0) == [], f"{engine}: the page alone is clean"
        s.js("""fetch('http://mesonet-probe.invalid/from-page').catch(() => {});
                new Image().src = 'http://mesonet-probe.invalid/image.png';
                fetch('js/main.js', { method: 'POST' }).catch(() => {});
                new Worker('probe-worker.js');""")
        wanted = ["/from-page", "/image.png", "POST /js/main.js", "/from-worker"]
        deadline = time.monotonic() + 15
        while True:
            found = s.foreign_requests(settle=0.5)
            missing = [w for w in wanted if not any(w in line for line in found)]
            if not missing or time.monotonic() > deadline:
                break
        assert missing == [], f"{engine}: the recorder missed {missing}; it saw {found}"
        assert all(line.startswith(f"{engine}: ") for line in found)


@engine_param()
def test_faces_score_as_in_chromium(session, chromium_faces):
    s = session
    s.open("?backend=wasm")
    assert s.wait_ready() == "wasm", f"{s.engine}: ?backend=wasm is honoured"
    before = s.tensors()
    s.add_files(FACES)
    cards = s.wait_cards(len(FACES))
    assert [c["state"] for c in cards] == ["done"] * 4, f"{s.engine}: {cards}"
    assert [c["file"] for c in cards] == [p.name for p in FACES]
    scores = [float(c["pReal"]) for c in cards]
    np.testing.assert_allclose(scores, chromium_faces, rtol=0, atol=ENGINE_TOLERANCE,
                               err_msg=f"{s.engine}: P(real) differs from Chromium's")
    assert [c["verdict"] for c in cards] == ["fake"] * 2 + ["real"] * 2, s.engine
    assert s.tensors() == before, f"{s.engine}: tensors leaked"
    assert s.foreign_requests() == []


@engine_param()
def test_automatic_backend_is_wasm_without_a_gpu(session, record_property):
    """No GPU here: WebGL is software, so the automatic choice must be WASM,
    even where the software renderer calls itself "Apple GPU" (WebKitGTK):
    the page measures, and says why it chose.
    What each engine chose, its WebGL renderer and its time to ready are
    kept in the test report (JUnit properties) and printed."""
    s = session
    start = time.monotonic()
    s.open()
    backend = s.wait_ready(timeout=180)
    seconds = time.monotonic() - start
    renderer = s.page_eval("return (await import(site('js/backend.js'))).webglRenderer();")
    record_property("backend", backend)
    record_property("webgl_renderer", renderer)
    record_property("ready_s", round(seconds, 1))
    print(f"{s.engine}: automatic backend {backend}, WebGL renderer {renderer!r}, ready in {seconds:.1f} s")
    assert s.foreign_requests() == []
    assert backend == "wasm", f"{s.engine}: chose {backend} (WebGL renderer {renderer!r}), ready in {seconds:.1f} s"
    why = s.text("[data-testid=backend-why]")
    print(f"{s.engine}: why {why}")
    assert why.strip("()"), f"{s.engine}: the page does not say why it chose {backend}"


@engine_param()
def test_model_switch_and_heatmaps(session):
    import json

    from convert.constants import SITE_MODEL_DIR

    f2f = json.loads((SITE_MODEL_DIR / "meso4-f2f" / "metadata.json").read_text())
    s = session
    s.open("?backend=wasm")
    s.wait_ready()
    before = s.tensors()
    s.open_settings()
    s.select("[data-testid=model-select]", "meso4-f2f")
    s.wait_until("return document.querySelector('[data-testid=model-name]').textContent === arguments[0]",
                 60, f"model name is not {f2f['name']!r}", f2f["name"])
    s.wait_ready()
    s.add_files(FACES[:1])
    (card,) = s.wait_cards(1)
    assert card["state"] == "done", f"{s.engine}: {card}"
    s.element("[data-testid=heatmap-toggle]").click()
    s.wait_until("return document.querySelector('[data-testid=result]').dataset.heatmaps === 'done'", 120,
                 "heatmaps were not drawn")
    drawn = s.js("""const c = document.querySelector('[data-testid=heatmap]');
                    return c ? [c.dataset.mapSize, c.dataset.map.split(',').length] : null""")
    assert drawn == ["32x32", 1024], f"{s.engine}: {drawn}"
    assert s.tensors() == before, f"{s.engine}: tensors leaked"
    assert s.foreign_requests() == []


def check_video(s, path, reference, frames, max_frames=None, tolerance=FRAME_TOLERANCE):
    """Add a video through the picker; its frames are those Chromium read, scored alike."""
    s.open("?backend=wasm")
    s.wait_ready()
    if max_frames:
        s.open_settings()
        from selenium.webdriver.common.keys import Keys

        # Select the value and type over it, as a person does. (WebDriver's clear()
        # fires a change event on the empty field, which the page then fills with
        # the default it would use, and the typed digits would be appended to it.)
        field = s.element("[data-testid=video-max-frames]")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(str(max_frames))
    s.add_files([path])
    (card,) = s.wait_cards(1, timeout=180, states=("done", "error", "cancelled"))
    assert card["state"] == "done", f"{s.engine}: the clip ended in {card['state']}: {card['error']}"
    assert card["kind"] == "video" and int(card["frames"]) == frames, f"{s.engine}: {card}"
    times = [f["time"] for f in card["frame_rows"]]
    assert times == [f["time"] for f in reference["frames"]], f"{s.engine}: sample times {times}"
    scores = [f["p_real"] for f in card["frame_rows"]]
    expected = [f["p_real"] for f in reference["frames"]]
    print(f"{s.engine}: {path.name}: engine {card.get('engine')}, frame scores {scores}, Chromium {expected}")
    assert None not in scores, f"{s.engine}: a frame without a face: {card['frame_rows']}"
    np.testing.assert_allclose(scores, expected, rtol=0, atol=tolerance,
                               err_msg=f"{s.engine}: frame scores differ from Chromium's")
    assert s.foreign_requests() == []


@engine_param(WEBKIT_STALE_FIRST_VIDEO)
def test_webm_clip_is_read_into_frames(session, clip, chromium_clip):
    """A VP8 WebM made here, from the file input: 3 frames, each scored as Chromium scored it."""
    check_video(session, clip, chromium_clip, 3)


@pytest.mark.datasets
@engine_param(WEBKIT_NO_BLOB_VIDEO)
def test_mp4_clip_is_read_into_frames(session, chromium_mp4):
    """The FF++ H.264 MP4 (640x480, 30 s), from the file input: the frames Chromium read, scored alike."""
    check_video(session, CLIPS["ffpp_fake"], chromium_mp4, MP4_FRAMES, max_frames=MP4_FRAMES,
                tolerance=MP4_FRAME_TOLERANCE)
