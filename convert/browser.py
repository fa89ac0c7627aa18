"""Headless Chromium through Playwright, for the parity check, tests and benchmarks."""
import atexit
import os
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ENV = "MESONET_CHROMIUM"  # path to a Chromium; unset: /usr/bin/chromium if present
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # WebGL without a GPU: SwiftShader emulates it on the CPU.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def chromium_path():
    """The Chromium to drive; None lets Playwright use its own download."""
    path = os.environ.get(CHROMIUM_ENV)
    if path:
        return path
    return DEFAULT_CHROMIUM if Path(DEFAULT_CHROMIUM).exists() else None


def launch_options(extra_args=()):
    """Keyword arguments for Playwright's BrowserType.launch: our Chromium and
    flags. For a second browser with other flags inside a running Playwright
    (one process cannot start the sync API twice)."""
    return {"executable_path": chromium_path(), "headless": True, "args": LAUNCH_ARGS + list(extra_args)}


_driver = None


def driver():
    """The process's one Playwright, started on first use. Playwright's sync
    API cannot be started twice in a thread, so every browser (the tests'
    session browser, the parity check's, a benchmark's) comes from this one."""
    global _driver
    if _driver is None:
        _driver = sync_playwright().start()
        atexit.register(_driver.stop)
    return _driver


@contextmanager
def launch(extra_args=()):
    browser = driver().chromium.launch(**launch_options(extra_args))
    try:
        yield browser
    finally:
        browser.close()
