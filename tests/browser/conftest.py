"""End-to-end fixtures: the app on a real port over the seed portfolio, and headless Chromium.

The browser is Debian's (``scripts/install-browser.sh``, run by ``make test``): Selenium is
given the driver's path explicitly, so Selenium Manager never tries to download one.
Without Chromium the tests skip with the reason, except under ``CI=true``, where a missing
browser is a failure: the suite must not pass by testing nothing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DEVGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DEVGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENS = Path("/tmp/devgraph-screens")
"""Copies of the screenshots outside the repository, for people to look at."""


def _missing_browser() -> str | None:
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (Path(path).is_file() or shutil.which(path)):
            return (
                f"{name} not found at {path}: run `sh scripts/install-browser.sh` "
                "(Debian packages chromium, chromium-driver) or set DEVGRAPH_CHROMIUM / "
                "DEVGRAPH_CHROMEDRIVER"
            )
    try:
        import PIL  # noqa: F401
        import selenium  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def browser_ready() -> None:
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def live_url(browser_ready: None) -> Iterator[str]:
    """The seed portfolio served by waitress on 127.0.0.1 (a free port chosen at bind time)."""
    from waitress import create_server

    from devgraph.load import load_paths
    from devgraph.reason import materialise
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    store = EmbeddedStore(None)
    load_paths(store, [REPO / "ontology", REPO / "shapes", REPO / "data" / "ttl"], root=REPO)
    materialise(store)
    app = create_app({"STORE": store, "QUERY_WORKERS": 0})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def driver(browser_ready: None, tmp_path: Path):
    """A fresh headless Chromium per test (its own profile: no cookie carries over)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,800",
        "--lang=en-GB",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def shoot(driver, tmp_path: Path):
    """``shoot(name)``: a full-page PNG under the test's tmp_path (and /tmp/devgraph-screens)."""
    import base64

    def capture(name: str) -> Path:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(int(size["width"]), 1)
        height = min(max(int(size["height"]), 1), 12_000)
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        path = tmp_path / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        try:
            SCREENS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENS / path.name)
        except OSError:
            pass  # the copy is a convenience; the test's own file is what is checked
        return path

    return capture
