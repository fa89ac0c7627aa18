"""Offline use after one visit, clean cache replacement on a new deployment,
cross-origin isolation from the second visit, serving from a sub-path, the
Content-Security-Policy and hostile file names."""
import re
import shutil
import subprocess

import pytest

from clips import face_clip
from conftest import FIXTURES, ROOT, SITE_DIR
from convert import webserver

FACE = sorted((FIXTURES / "real").glob("*.jpg"))[0]


def wait_ready(page):
    page.locator("[data-testid=status][data-state=ready]").wait_for(timeout=60_000)


def wait_controlled(page):
    """Until the service worker controls the page and has finished precaching."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)


def analyse_one(page, path):
    page.set_input_files("[data-testid=file-input]", str(path))
    card = page.locator("[data-testid=result]").last
    card.locator("xpath=self::*[@data-state='done']").wait_for(timeout=60_000)
    return float(card.get_attribute("data-p-real"))


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
    wait_ready(page)
    wait_controlled(page)
    return context, page


def test_works_offline_after_one_visit(chromium, site_copy):
    with webserver.serve({"/": site_copy}) as url:
        context, page = first_visit(chromium, url)
        online_score = analyse_one(page, FACE)
        context.set_offline(True)
        page.reload()
        wait_ready(page)
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
        wait_ready(page)
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
        wait_ready(page)
        assert "my-retrained" in model_options(page)
        page.select_option("[data-testid=model-select]", "my-retrained")
        page.locator("[data-testid=model-name]", has_text="My retrained Meso-4").wait_for(timeout=60_000)
        context.set_offline(True)
        page.goto(f"{url}/index.html?backend=wasm&model=my-retrained")
        wait_ready(page)
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
                wait_ready(page)
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
        wait_ready(page)
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
        wait_ready(page)
        assert 0 <= analyse_one(page, FACE) <= 1
        wait_controlled(page)
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        assert scope == f"{url}/mesonet-web/"
        assert all(r.startswith(f"{url}/mesonet-web/") for r in requests if r.startswith("http"))
        context.close()


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
    wait_ready(page.page)
    analyse_one(page.page, FACE)
    assert not [m for m in messages if "Content Security Policy" in m], messages
    assert page.foreign_requests() == []


def test_hostile_file_name_is_shown_as_text(open_page, tmp_path):
    hostile = tmp_path / "<img src=x onerror=alert(1)>.jpg"
    shutil.copy(FACE, hostile)
    page = open_page("?backend=wasm")
    dialogs = []
    page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wait_ready(page.page)
    analyse_one(page.page, hostile)
    card = page.page.locator("[data-testid=result]").last
    assert card.get_attribute("data-file") == hostile.name
    assert hostile.name in card.inner_text()
    assert page.page.locator("img[src=x]").count() == 0
    assert dialogs == [] and page.errors == []
