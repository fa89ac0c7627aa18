"""Offline use after one visit, clean cache replacement on a new deployment,
cross-origin isolation from the second visit, serving from a sub-path.
(The page's Content-Security-Policy: tests/guarantees/test_privacy.py.)"""
import re
import shutil
import subprocess

import pytest

from clips import face_clip
from conftest import FIXTURES, ROOT, SITE_DIR
from convert import webserver
from convert.site_page import SitePage

FACE = sorted((FIXTURES / "real").glob("*.jpg"))[0]


def wait_controlled(page):
    """Until the service worker controls the page and has finished precaching."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)


def analyse_one(page, path):
    """P(real) of one more file, through the picker (page: a Playwright page)."""
    return SitePage(page).add_files([path], states=("done",), timeout_ms=60_000)[0]["p_real"]


def cache_names(page):
    return page.evaluate("caches.keys()")


@pytest.fixture
def site_copy(tmp_path, site_model):
    """A deployable copy of the site, to change and redeploy."""
    copy = tmp_path / "site"
    shutil.copytree(SITE_DIR, copy)
    subprocess.run(["node", str(ROOT / "build" / "precache.mjs"), str(copy)], check=True,
                   capture_output=True)
    return copy


def first_visit(chromium, url):
    """A new browser profile's first visit, until the service worker controls it."""
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{url}/index.html?backend=wasm")
    SitePage(page).wait_ready()
    wait_controlled(page)
    return context, page


def test_works_offline_after_one_visit(chromium, site_copy):
    with webserver.serve({"/": site_copy}) as url:
        context, page = first_visit(chromium, url)
        online_score = analyse_one(page, FACE)
        context.set_offline(True)
        page.reload()
        SitePage(page).wait_ready()
        assert analyse_one(page, FACE) == online_score
        context.close()


def test_new_deployment_replaces_the_old_cache(chromium, site_copy):
    with webserver.serve({"/": site_copy}) as url:
        context, page = first_visit(chromium, url)
        first = cache_names(page)
        assert len(first) == 1 and first[0].startswith("mesonet-")

        css = site_copy / "css" / "style.css"
        css.write_text(css.read_text() + "\n/* deployment 2 */\n")
        subprocess.run(["node", str(ROOT / "build" / "precache.mjs"), str(site_copy)], check=True,
                       capture_output=True)
        version = re.search(r'"version": "(\w+)"', (site_copy / "precache-manifest.js").read_text())[1]
        page.evaluate("""() => { window.swChanged = new Promise((resolve) =>
            navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })); }""")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        page.evaluate("window.swChanged")
        page.wait_for_function(  # the new worker deletes the old cache as it activates
            "(name) => caches.keys().then((k) => k.length === 1 && k[0] === name)",
            arg=f"mesonet-{version}", timeout=60_000)
        assert cache_names(page) != first
        page.reload()
        SitePage(page).wait_ready()
        served = page.evaluate("fetch('css/style.css').then((r) => r.text())")
        assert "deployment 2" in served
        context.close()


def model_options(page):
    return page.eval_on_selector_all("[data-testid=model-select] option", "os => os.map((o) => o.value)")


def test_a_model_exported_later_is_listed_for_returning_visitors(chromium, site_copy):
    """The model list and the models' files come from the network first: a
    model exported into the site after a visit is listed on the next one,
    with no new deployment and no manual step; offline, the cached list."""
    from convert.export import export

    with webserver.serve({"/": site_copy}) as url:
        context, page = first_visit(chromium, url)
        assert "my-retrained" not in model_options(page)
        export("meso4-f2f", site_copy / "model" / "my-retrained", model_id="my-retrained",
               name="My retrained Meso-4", check_parity=False, log=lambda _: None)
        page.reload()
        SitePage(page).wait_ready()
        assert "my-retrained" in model_options(page)
        page.select_option("[data-testid=model-select]", "my-retrained")
        page.locator("[data-testid=model-name]", has_text="My retrained Meso-4").wait_for(timeout=60_000)
        context.set_offline(True)
        page.goto(f"{url}/index.html?backend=wasm&model=my-retrained")
        SitePage(page).wait_ready()
        assert page.text_content("[data-testid=model-name]") == "My retrained Meso-4"
        context.close()


def test_second_visit_is_isolated_and_wasm_uses_threads(chromium, site_copy, tmp_path):
    """GitHub Pages cannot send COOP/COEP: the service worker adds them, so from
    the second load the page and its video worker are cross-origin isolated and
    WASM computes with one thread per logical processor (up to 4), with the same scores."""
    clip = face_clip(tmp_path / "face.webm", [FACE], seconds=2)
    with webserver.serve({"/": site_copy}) as url:
        context, page = first_visit(chromium, url)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        visits = []
        for visit in ("first", "second"):
            if visit == "second":
                page.reload()
                SitePage(page).wait_ready()
            video = analyse_one(page, clip)
            card = page.locator("[data-testid=result]").last
            assert card.get_attribute("data-engine") == "worker", card.get_attribute("data-engine-why")
            visits.append({
                "isolated": page.evaluate("crossOriginIsolated"),
                "threads": int(page.get_attribute("[data-testid=threads]", "data-threads")),
                "worker_threads": int(card.get_attribute("data-engine-threads")),
                "image": analyse_one(page, FACE), "video": video})
        first, second = visits
        expected = page.evaluate("Math.min(navigator.hardwareConcurrency, 4)")
        assert not first["isolated"] and first["threads"] == first["worker_threads"] == 1
        assert second["isolated"] and second["threads"] == second["worker_threads"] == expected
        assert page.evaluate("Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')") is None, \
            "the processor count TF.js reads is the browser's own again"
        assert abs(second["image"] - first["image"]) < 1e-6 and abs(second["video"] - first["video"]) < 1e-6
        assert errors == []
        context.close()


def test_wasm_falls_back_to_one_thread_when_its_threads_cannot_start(chromium, site_copy):
    """A host that isolates the page but whose Content-Security-Policy (sent
    with every file, so the engine's worker has it too) forbids blob: workers:
    TF.js's threads never start and it waits forever. The engine starts WASM
    again with one thread instead of falling back to the CPU."""
    index = site_copy / "index.html"
    index.write_text(index.read_text().replace(" blob:", ""))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', index.read_text()).group(1)
    with webserver.serve({"/": site_copy}, isolated=True, headers={"Content-Security-Policy": policy}) as url:
        context = chromium.new_context()
        page = context.new_page()
        warnings = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        page.on("worker", lambda w: w.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None))
        page.goto(url + "/")
        SitePage(page).wait_ready()
        assert page.evaluate("crossOriginIsolated")
        assert page.text_content("[data-testid=backend]") == "wasm"
        assert page.get_attribute("[data-testid=threads]", "data-threads") == "1"
        assert any("did not start; using one thread" in w for w in warnings), warnings
        assert 0 <= analyse_one(page, FACE) <= 1
        context.close()


def test_site_works_from_a_sub_path(chromium, site_copy):
    with webserver.serve({"/mesonet-web": site_copy}) as url:
        context = chromium.new_context()
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/mesonet-web/")
        SitePage(page).wait_ready()
        assert 0 <= analyse_one(page, FACE) <= 1
        wait_controlled(page)
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        assert scope == f"{url}/mesonet-web/"
        assert all(r.startswith(f"{url}/mesonet-web/") for r in requests if r.startswith("http"))
        context.close()
