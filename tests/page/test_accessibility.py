"""axe-core (pinned in package-lock.json, injected into the page) finds no
WCAG 2.1 A/AA or best-practice violation on the page: empty, and with
everything shown (the overview, image and video results, heatmaps, a
selected video frame, the settings panel and every disclosure open, results
marked stale after a model switch), on a desktop and on a phone-sized
screen, in the light and the dark theme."""
import pytest

from conftest import ROOT, RecordedPage, show_every_kind_of_result

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def violations(page):
    """axe's violations as one line each: rule (impact): how many nodes, first targets."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags } })"
                          ".then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact,"
                          " nodes: v.nodes.map((n) => n.target.join(' ')) })))", RULES)
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][:3]}" for v in found]


@pytest.fixture(params=["light", "dark"])
def audited_page(request, chromium, site_url):
    """A page in a context that lets axe's script in past the page's CSP."""
    if not AXE.is_file():
        raise pytest.UsageError(f"{AXE} is missing: run `npm ci` first")
    context = chromium.new_context(bypass_csp=True, color_scheme=request.param)
    page = RecordedPage(context.new_page(), site_url)
    page.page.goto(f"{site_url}/index.html?backend=wasm")
    yield page
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_no_violations_empty_and_with_every_kind_of_result(audited_page, tmp_path, width):
    page = audited_page
    page.page.set_viewport_size({"width": width, "height": 800})
    page.wait_ready()
    assert violations(page.page) == []

    show_every_kind_of_result(page, tmp_path)
    assert page.page.locator("[data-testid=summary]").is_visible()
    # Another model: the results are marked stale, each with its button, and the overview says so.
    page.page.select_option("[data-testid=model-select]", "meso4-f2f")
    page.page.locator("[data-testid=stale-all]").wait_for()
    assert page.page.locator("[data-testid=result][data-stale=true]").count() == 3
    # Every disclosure open: the settings panel, its technical details, each card's details, the frame table.
    page.page.locator("details").evaluate_all("(ds) => ds.forEach((d) => { d.open = true; })")
    assert page.page.locator("[data-testid=settings] [data-testid=video-rate]").is_visible()
    assert violations(page.page) == []
    assert page.errors == []
