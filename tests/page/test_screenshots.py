"""Screenshots of the real page for the user guide, taken while checking what
they show. They are written into docs/assets/screenshots/, which is
git-ignored build output: they show the third-party test faces, so they are
never committed (`./dev test` and `./dev pages` run this before the docs build)."""
import cv2
import numpy as np
import pytest

from clips import face_clip, face_picture
from conftest import FIXTURES, ROOT
from convert.site_page import SitePage

SHOTS = ROOT / "docs" / "assets" / "screenshots"
FAKE_FACE = sorted((FIXTURES / "df").glob("*.jpg"))[1]
# Every file docs/user-guide.md shows (as <img>: a clone without the test data builds the docs without them).
NAMES = ("page-ready.png", "page-phone-dark.png", "image-card.png", "image-card-heatmaps.png", "video-card.png",
         "overview.png", "image-card-stale.png", "report.png")
F2F_NAME = "Meso-4, trained on Face2Face reenactment"


def save(locator, name, **options):
    """Screenshot a page or an element into SHOTS; check it is a real picture."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    locator.screenshot(path=str(path), animations="disabled", **options)
    image = cv2.imread(str(path))
    assert image is not None and image.shape[0] >= 150 and image.shape[1] >= 250, name
    assert image.std() > 10, f"{name} is nearly blank"
    return image


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    """A 640x480 picture with two fixture faces in it, as a JPEG."""
    faces = sorted(FIXTURES.glob("*/*.jpg"))
    return face_picture(tmp_path_factory.mktemp("shots") / "picture.jpg", [faces[3], FAKE_FACE], side=200)


@pytest.fixture
def page(chromium, site_url):
    context = chromium.new_context(viewport={"width": 1100, "height": 760})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}/index.html?backend=wasm")
    page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
    yield page
    context.close()
    assert errors == []


def test_screenshots_of_the_page_and_an_image_card(page, frame):
    ready = save(page, "page-ready.png")
    assert ready.shape[:2] == (760, 1100)

    SitePage(page).add_files([frame], states=("done",), timeout_ms=120_000)
    card = page.locator("[data-testid=result]").first
    assert card.locator(".gauge[role=meter]").is_visible()
    assert card.locator("[data-testid=face]").count() >= 1
    plain = save(card, "image-card.png")

    page.check("[data-testid=heatmap-toggle]")
    card.locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=180_000)
    assert card.locator("[data-testid=heatmap]").first.is_visible()
    heat = save(card, "image-card-heatmaps.png")
    if heat.shape == plain.shape:
        assert np.abs(heat.astype(int) - plain).mean() > 1, "the heatmaps changed nothing on the card"


def test_screenshot_of_a_video_card_with_a_selected_frame(page, tmp_path):
    clip = face_clip(tmp_path / "face.webm", [FAKE_FACE], seconds=4)
    SitePage(page).add_files([clip], states=("done",), timeout_ms=180_000)
    card = page.locator("[data-testid=result]").first
    card.locator("[data-testid=timeline] circle").nth(1).click()
    detail = card.locator("[data-testid=frame-detail]")
    detail.locator("[data-testid=face]").first.wait_for(timeout=60_000)
    assert card.locator("[data-testid=timeline]").is_visible()
    # The player shows the selected frame, not a blank box or its loading spinner.
    card.locator("video").evaluate(
        "(v) => new Promise((done) => { const check = () => (v.readyState >= 3 && !v.seeking ? done()"
        " : setTimeout(check, 100)); check(); })")
    selected = float(detail.get_attribute("data-time"))
    assert card.locator("video").evaluate("(v) => v.currentTime") == pytest.approx(selected, abs=0.01)
    save(card, "video-card.png")


def test_screenshot_of_the_first_screen_on_a_phone_in_the_dark(chromium, site_url):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html?backend=wasm")
        page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=120_000)
        assert page.locator("[data-testid=drop-zone]").is_visible()
        assert page.locator("[data-testid=settings]").get_attribute("open") is None, "closed on a phone"
        shot = save(page, "page-phone-dark.png")
        assert shot.shape[:2] == (740, 360) and shot.mean() < 100, "the dark theme"
    finally:
        context.close()


def test_screenshots_of_the_overview_a_stale_card_and_the_report(page, tmp_path):
    faces = sorted(FIXTURES.glob("*/*.jpg"))
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic")
    SitePage(page).add_files([*faces, photo], states=("done", "error"), timeout_ms=120_000)
    cards = page.locator("[data-testid=result]")
    overview = page.locator("[data-testid=summary]")
    assert int(overview.get_attribute("data-error")) == 1
    save(overview, "overview.png")

    # The report, as printed: its first page's worth.
    page.emulate_media(media="print")
    assert page.locator("[data-testid=report-title]").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    report = save(page, "report.png", full_page=True, clip={"x": 0, "y": 0, "width": width, "height": 1100})
    assert report.shape[0] == 1100
    page.emulate_media(media="screen")

    # After a model switch the first card is marked stale; its details name the file and the model.
    page.select_option("[data-testid=model-select]", "meso4-f2f")
    page.locator("[data-testid=status][data-state=ready]", has_text=F2F_NAME).wait_for(timeout=60_000)
    card = cards.first
    assert card.get_attribute("data-stale") == "true"
    card.locator("[data-testid=details] summary").click()
    assert card.locator("[data-testid=sha256]").is_visible()
    save(card, "image-card-stale.png")


def test_the_user_guide_shows_every_screenshot():
    guide = (ROOT / "docs" / "user-guide.md").read_text()
    for name in NAMES:
        assert f'<img src="../assets/screenshots/{name}"' in guide, name
