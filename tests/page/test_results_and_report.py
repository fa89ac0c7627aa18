"""Issue 18's checks, in headless Chromium at 1280x800 and 360x740, light and
dark: the drop zone is the first control; the overview's counts equal the
cards and link to them; results name their model and are marked stale after a
model switch, and can be analysed again; the JSON export's sha256 is each
file's; in print no video takes space, no control or status line shows, and
the title block names the model's weights by sha256; the heatmap overlay's box
is the picture's; a HEIC file is named as HEIC; a JPEG named .mp4 is a
picture. Then, at one size: the sample, the settings remembered on this
device and the own-model messages."""
import hashlib
import json
import struct

import numpy as np
import pytest
from PIL import Image

from clips import face_clip, face_picture
from conftest import FIXTURES, SITE_MODEL_DIR, RecordedPage
from convert.site_page import FILE_INPUT, rendered_text

SIZES = {"desktop": (1280, 800), "phone": (360, 740)}
OUTCOMES = ("real", "uncertain", "fake", "no-face", "error")
F2F = json.loads((SITE_MODEL_DIR / "meso4-f2f" / "metadata.json").read_text())


def heic(path):
    """A minimal HEIC-branded ISO media file: an ftyp box (major brand heic,
    compatible mif1 and heic), as an iPhone's photo starts, then an empty
    meta box. No browser but Safari decodes HEIC; the page must say so."""
    ftyp = struct.pack(">I4s4sI", 24, b"ftyp", b"heic", 0) + b"mif1heic"
    meta = struct.pack(">I4sI", 12, b"meta", 0)
    path.write_bytes(ftyp + meta)
    return path


def weight_hashes(metadata):
    return [digest for name, digest in sorted(metadata["files"].items()) if name.endswith(".bin")]


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """Every kind of file the overview counts: real and manipulated faces, a
    picture with two faces, a picture without one, a HEIC photo, a JPEG named
    .mp4 and a short video."""
    folder = tmp_path_factory.mktemp("media")
    faces = sorted(FIXTURES.glob("*/*.jpg"))
    two = face_picture(folder / "two-people.jpg", faces[1:3], side=200)
    landscape = folder / "landscape.jpg"
    y, x = np.mgrid[0:240, 0:320]
    sky = np.stack([x * 255 // 320, y * 255 // 240, np.full_like(x, 128)], axis=-1).astype(np.uint8)
    Image.fromarray(sky).save(landscape, quality=92)
    misnamed = folder / "not-a-video.mp4"
    misnamed.write_bytes(faces[3].read_bytes())
    clip = face_clip(folder / "clip.webm", faces[:1], seconds=2, fps=10, side=200)
    return [faces[0], faces[2], two, landscape, heic(folder / "IMG_0001.HEIC"), misnamed, clip]


@pytest.fixture(params=[(size, scheme) for size in SIZES for scheme in ("light", "dark")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def page(request, chromium, site_url):
    size, scheme = request.param
    width, height = SIZES[size]
    context = chromium.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    recorded = RecordedPage(context.new_page(), site_url)
    recorded.page.goto(f"{site_url}/index.html?backend=wasm")
    recorded.page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
    recorded.scheme = scheme
    yield recorded
    context.close()
    assert recorded.errors == []


def open_settings(page):
    panel = page.locator("[data-testid=settings]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").first.click()


def boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "(els) => els.map((e) => { const r = e.getBoundingClientRect();"
        " return [r.x, r.y, r.width, r.height]; })")


def luminance(page, selector):
    """Relative luminance (0 black to 1 white) of an element's computed background."""
    rgb = page.locator(selector).evaluate("(e) => getComputedStyle(e).backgroundColor.match(/\\d+/g).map(Number)")
    return sum(w * v / 255 for w, v in zip((0.2126, 0.7152, 0.0722), rgb))


def counts(page):
    summary = page.locator("[data-testid=summary]")
    return {name: int(summary.get_attribute(f"data-{name}")) for name in OUTCOMES}


def card_counts(page):
    """What the cards themselves say, counted the overview's way."""
    found = dict.fromkeys(OUTCOMES, 0)
    for state, verdict in page.locator("[data-testid=result]").evaluate_all(
            "(cs) => cs.map((c) => [c.dataset.state, c.dataset.verdict || null])"):
        if state == "error":
            found["error"] += 1
        elif state in ("done", "cancelled"):
            found[verdict] += 1
    return found


def test_first_screen_leads_with_the_drop_zone(page):
    p = page.page
    p.keyboard.press("Tab")
    first = p.evaluate("document.activeElement.dataset.testid")
    assert first == "file-input", f"the first control is {first}"
    assert p.locator(f"[data-testid=drop-zone] {FILE_INPUT}").count() == 1
    zone = p.locator("[data-testid=drop-zone]").bounding_box()
    assert zone["y"] + zone["height"] <= SIZES["phone"][1], "the drop zone is on the first screen"
    for control in ("sample", "webcam-toggle", "privacy"):
        assert p.locator(f"[data-testid=drop-zone] [data-testid={control}]").is_visible(), control
    assert "never uploaded" in p.locator("[data-testid=privacy]").inner_text()
    # Plain words outside the settings: no backend, no P(real) on the first screen.
    words = p.evaluate("""() => [...document.querySelectorAll('header, [data-testid=drop-zone], [data-testid=status]')]
      .map((e) => e.innerText).join(' ')""")
    for jargon in ("wasm", "WASM", "Backend", "P(real)", "TensorFlow"):
        assert jargon not in words, jargon
    # The system's colour scheme is followed.
    dark = luminance(p, "html") < 0.2
    assert dark == (page.scheme == "dark")
    # Settings: a panel, open beside the drop zone on a wide screen, closed under it on a phone.
    settings = p.locator("[data-testid=settings]")
    wide = p.viewport_size["width"] >= 1000
    assert (settings.get_attribute("open") is not None) == wide
    assert p.locator("[data-testid=model-name]").is_visible(), "the model in use shows even when the panel is closed"


def test_overview_stale_results_export_print_overlay_and_messages(page, media, site_model):
    p = page.page
    open_settings(p)
    p.check("[data-testid=heatmap-toggle]")
    page.add_files(media, states=("done", "error", "cancelled"), timeout_ms=180_000)
    cards = p.locator("[data-testid=result]")
    by_file = {cards.nth(i).get_attribute("data-file"): cards.nth(i) for i in range(len(media))}

    # A HEIC photo is named as one; a JPEG named .mp4 is analysed as the picture it is.
    heic_card = by_file["IMG_0001.HEIC"]
    assert heic_card.get_attribute("data-state") == "error"
    assert "HEIC" in rendered_text(heic_card.locator("[data-testid=error]"))
    assert "video" not in rendered_text(heic_card.locator("[data-testid=error]"))
    misnamed = by_file["not-a-video.mp4"]
    assert (misnamed.get_attribute("data-kind"), misnamed.get_attribute("data-state")) == ("image", "done")
    assert by_file["clip.webm"].get_attribute("data-kind") == "video"
    assert by_file["landscape.jpg"].get_attribute("data-verdict") == "no-face"

    # Nothing scrolls sideways at this size, with every kind of result and the settings open.
    assert p.evaluate("document.documentElement.scrollWidth") <= p.viewport_size["width"]

    # Every result names its model.
    assert [cards.nth(i).get_attribute("data-model") for i in range(len(media))] == ["meso4-df"] * len(media)

    # The overview: its counts are the cards', and each row links to its card.
    summary = p.locator("[data-testid=summary]")
    assert summary.is_visible()
    assert counts(p) == card_counts(p)
    assert sum(counts(p).values()) == len(media) == int(summary.get_attribute("data-total"))
    assert counts(p)["error"] == 1 and counts(p)["no-face"] == 1
    rows = summary.locator("[data-testid=summary-row]")
    assert rows.count() == len(media)
    for i in range(rows.count()):
        link = rows.nth(i).locator("a")
        target = p.locator(link.get_attribute("href"))
        assert target.get_attribute("data-testid") == "result"
        assert target.get_attribute("data-file") == link.inner_text() == rows.nth(i).get_attribute("data-file")
    rows.nth(2).locator("a").click()
    assert p.evaluate("document.activeElement.dataset.file") == rows.nth(2).get_attribute("data-file")
    # Sorted by score: lowest P(real) first, files without a score last.
    summary.locator("button[data-sort=score]").click()
    p.locator("[data-testid=summary][data-sort=score]").wait_for()
    scores = [by_file[f].get_attribute("data-p-real")
              for f in rows.evaluate_all("(rs) => rs.map((r) => r.dataset.file)")]
    known = [float(s) for s in scores if s is not None]
    assert known == sorted(known) and scores[len(known):] == [None] * (len(scores) - len(known))
    # The caveat is said once, in the overview, not on each card.
    assert p.locator("[data-testid=caveat]").count() == 1
    assert "evidence, not proof" in p.locator("[data-testid=caveat]").inner_text()
    assert all("evidence, not proof" not in rendered_text(by_file[f]) for f in by_file)

    # The heatmap overlay has the picture's box, at this screen's size.
    with_faces = [c for c in by_file.values()
                  if c.get_attribute("data-kind") == "image" and c.locator("[data-testid=face]").count()]
    assert len(with_faces) == 4
    for card in with_faces:
        card.locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=90_000)
        [picture] = boxes(card, "[data-testid=picture]")
        [overlay] = boxes(card, "[data-testid=picture-heatmap]")
        assert overlay == pytest.approx(picture, abs=0.5), card.get_attribute("data-file")

    # The JSON export: each file's sha256, size and type, and the model's weights.
    with p.expect_download() as info:
        p.click("[data-testid=export-json]")
    exported = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert sorted(r["file"] for r in exported["results"]) == sorted(m.name for m in media)
    for result, path in zip(exported["results"], media):
        assert result["file"] == path.name
        assert result["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
        assert result["size"] == path.stat().st_size
        assert by_file[path.name].locator("[data-testid=sha256]").text_content() == result["sha256"]
    assert exported["model_sha256"] == weight_hashes(site_model)
    types = {r["file"]: r["type"] for r in exported["results"]}
    assert [types[f] for f in ("IMG_0001.HEIC", "not-a-video.mp4", "clip.webm")] == ["image/heic", "image/jpeg",
                                                                                   "video/webm"]

    # The printed report: a title block naming the model's weights; no player,
    # control or status line takes space.
    p.emulate_media(media="print")
    try:
        title = p.locator("[data-testid=report-title]")
        assert title.is_visible()
        text = title.inner_text()
        for digest in weight_hashes(site_model):
            assert digest in text
        assert site_model["name"] in text and "wasm" in text and "page version" in text
        assert p.locator("video").count() >= 1
        assert [b for b in boxes(p, "video") if b[2] * b[3] > 0] == [], "a video takes space in print"
        shown = p.evaluate("""() => [...document.querySelectorAll(
            'input, select, textarea, progress, summary, button, [role=status], [data-testid=status]')]
          .filter((e) => e.getClientRects().length && !e.closest('.suspicious'))
          .map((e) => e.dataset.testid || e.className || e.tagName)""")
        assert shown == [], f"controls or status lines in print: {shown}"
        assert p.locator("[data-testid=summary]").is_visible()
        assert all(by_file[m.name].is_visible() for m in media)
    finally:
        p.emulate_media(media="screen")

    # Another model: every earlier result is marked stale, and can be analysed again.
    open_settings(p)
    p.select_option("[data-testid=model-select]", "meso4-f2f")
    p.locator("[data-testid=status][data-state=ready]", has_text=F2F["name"]).wait_for(timeout=60_000)
    done = [f for f, c in by_file.items() if c.get_attribute("data-state") == "done"]
    assert [by_file[f].get_attribute("data-stale") for f in done] == ["true"] * len(done)
    assert int(summary.get_attribute("data-stale")) == len(done)
    again = by_file["not-a-video.mp4"]
    again.locator("[data-testid=reanalyse]").click()
    again.locator("xpath=self::*[@data-state='done'][@data-model='meso4-f2f']").wait_for(timeout=60_000)
    assert again.get_attribute("data-stale") is None
    assert int(summary.get_attribute("data-stale")) == len(done) - 1
    p.click("[data-testid=reanalyse-all]")
    for f in done:
        by_file[f].locator("xpath=self::*[@data-state='done'][@data-model='meso4-f2f']").wait_for(timeout=180_000)
    assert [by_file[f].get_attribute("data-stale") for f in done] == [None] * len(done)
    assert int(summary.get_attribute("data-stale")) == 0 and p.locator("[data-testid=stale-all]").is_hidden()
    assert counts(p) == card_counts(p)

    # Clearing the results clears the status line's last file too.
    p.click("[data-testid=clear]")
    p.locator("[data-testid=summary]").wait_for(state="hidden")
    assert p.locator("[data-testid=result]").count() == 0
    assert all(m.name not in p.locator("[data-testid=status]").inner_text() for m in media)
    assert page.foreign_requests() == []


def test_try_a_sample(open_page):
    page = open_page("?backend=wasm")
    page.wait_ready()
    page.page.click("[data-testid=sample]")
    rows = [(r["file"], r["state"], r["verdict"]) for r in page.wait_cards(2, timeout_ms=180_000)]
    assert rows == [("sample-deepfake.jpg", "done", "fake"), ("sample-real.jpg", "done", "real")]
    assert page.errors == [] and page.foreign_requests() == []


def test_settings_are_remembered_on_this_device_and_show_what_they_use(open_page):
    page = open_page("?backend=wasm")
    p = page.page
    p.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
    p.uncheck("[data-testid=faces-switch]")
    p.check("[data-testid=heatmap-toggle]")
    # Out of range: the field shows what will be used, and says so.
    p.fill("[data-testid=video-rate]", "1000")
    p.fill("[data-testid=video-max-frames]", "100000")
    p.press("[data-testid=video-max-frames]", "Tab")
    assert p.input_value("[data-testid=video-rate]") == "10"
    assert p.input_value("[data-testid=video-max-frames]") == "256"
    note = p.locator("[data-testid=settings-note]").inner_text()
    assert "frames per second set to 10" in note and "most frames set to 256" in note
    p.select_option("[data-testid=model-select]", "meso4-f2f")
    p.locator("[data-testid=status][data-state=ready]", has_text=F2F["name"]).wait_for(timeout=60_000)

    def settings():
        p.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
        return {"faces": p.is_checked("[data-testid=faces-switch]"),
                "heatmaps": p.is_checked("[data-testid=heatmap-toggle]"),
                "rate": p.input_value("[data-testid=video-rate]"),
                "most": p.input_value("[data-testid=video-max-frames]"),
                "model": p.input_value("[data-testid=model-select]"),
                "name": p.locator("[data-testid=model-name]").inner_text()}

    chosen = {"faces": False, "heatmaps": True, "rate": "10", "most": "256", "model": "meso4-f2f", "name": F2F["name"]}
    p.reload()
    assert settings() == chosen
    # The address's options hold for one visit and change nothing remembered.
    p.goto(p.url.split("?")[0] + "?backend=wasm&model=meso4-df&faces=on")
    assert settings()["model"] == "meso4-df" and settings()["faces"] is True
    p.goto(p.url.split("?")[0] + "?backend=wasm")
    assert settings() == chosen
    p.click("[data-testid=settings-reset]")
    p.locator("[data-testid=model-name]", has_text="Deepfake").wait_for(timeout=60_000)
    defaults = {"faces": True, "heatmaps": False, "rate": "1", "most": "64", "model": "meso4-df"}
    assert {k: v for k, v in settings().items() if k != "name"} == defaults
    p.reload()
    assert {k: v for k, v in settings().items() if k != "name"} == defaults
    assert page.errors == []


def test_files_that_are_not_a_model_get_a_clear_error(open_page, tmp_path):
    page = open_page("?backend=wasm")
    p = page.page
    p.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)
    name = p.locator("[data-testid=model-name]").inner_text()
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(sorted(FIXTURES.glob("*/*.jpg"))[0].read_bytes())
    p.set_input_files("[data-testid=own-model-input]", str(photo))
    error = p.locator("[data-testid=model-error]")
    error.wait_for()
    assert error.get_attribute("role") == "alert"
    text = error.inner_text()
    assert "holiday.jpg is a photo" in text and "model.json" in text and "not among" not in text
    assert p.locator("[data-testid=model-name]").inner_text() == name
    # A damaged model is an error too, beside the picker, and the model in use stays.
    own = [SITE_MODEL_DIR / "meso4-df" / n for n in ("model.json", "metadata.json")]
    own += sorted((SITE_MODEL_DIR / "meso4-df").glob("*.bin"))
    meta = json.loads(own[1].read_text())
    meta["files"]["model.json"] = "0" * 64
    damaged = tmp_path / "metadata.json"
    damaged.write_text(json.dumps(meta))
    p.set_input_files("[data-testid=own-model-input]", [str(own[0]), str(damaged), *map(str, own[2:])])
    p.locator("[data-testid=model-error]", has_text="sha256 does not match").wait_for(timeout=60_000)
    assert "holiday.jpg" not in error.inner_text()
    assert p.locator("[data-testid=model-name]").inner_text() == name
    assert p.input_value("[data-testid=model-select]") == "meso4-df"
    assert page.errors == []
