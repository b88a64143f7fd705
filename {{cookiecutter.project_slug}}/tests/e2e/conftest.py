"""End-to-end checks of the production shape, seen from outside: HTTP and a headless browser.

`make e2e` starts the programs of deploy/ on this host (`deploy/host.sh up`: gunicorn, the
background workers and nginx under Supervisor, with the production settings), runs these tests against
them and stops everything again, also when a test fails. Nothing here imports the project: the
tests only see what a visitor sees, plus the logs and the management commands of the host shape.

Variables (make e2e sets the first):
    E2E_BASE_URL    where the stack answers, e.g. http://127.0.0.1:8088; unset: these tests are
                    deselected, so that a plain `pytest` never needs the stack
    E2E_ARTIFACTS   where screenshots go (default: var/e2e)
    E2E_CHROMIUM    the Chromium to drive (default: the system's chromium, else Playwright's own)
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = os.environ.get("E2E_BASE_URL", "").rstrip("/")
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "var" / "e2e")
LOG_DIR = ROOT / "var" / "log"
# A tab that waits longer than this for the stack is a failure, not a slow machine.
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    mine = [item for item in items if here in item.path.parents]
    for item in mine:
        item.add_marker(pytest.mark.e2e)
    if not BASE_URL and mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if item not in mine]


def pytest_report_header(config: pytest.Config) -> str:
    if BASE_URL:
        return f"e2e: {BASE_URL}, screenshots in {ARTIFACTS}"
    return "e2e: E2E_BASE_URL is unset, end-to-end tests deselected (run them with `make e2e`)"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        """The header's value; empty when the response has none."""
        return self.headers.get(name, "")


def fetch(path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One plain HTTP request to the stack; redirects are returned, not followed."""
    connection = http.client.HTTPConnection(urlsplit(BASE_URL).netloc, timeout=TIMEOUT_MS / 1000)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    """A management command with the settings and services of the running programs."""
    # pytest-django has set the test settings in this process: the command must get the
    # production ones, as the programs do.
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [str(ROOT / "deploy" / "host.sh"), "manage", *args],
        cwd=ROOT,
        env={**inherited, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"manage.py {' '.join(args)}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@dataclass(frozen=True)
class Account:
    username: str
    password: str


@pytest.fixture(scope="session")
def staff_user() -> Account:
    """A superuser made for this run: a fresh name, so that every run logs in as its own user."""
    account = Account(username=f"e2e-{secrets.token_hex(4)}", password=secrets.token_urlsafe(24))
    manage(
        "createsuperuser",
        "--noinput",
        f"--username={account.username}",
        f"--email={account.username}@example.com",
        env={"DJANGO_SUPERUSER_PASSWORD": account.password},
    )
    return account


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("E2E_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(base_url=BASE_URL, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def logged_in_page(page: Page, staff_user: Account) -> Page:
    page.goto("/admin/login/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", staff_user.password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def screenshot():
    """screenshot(page, name): save a full-page PNG under E2E_ARTIFACTS and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
