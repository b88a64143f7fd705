"""The page that mounts the Vue app, and the refusal to serve it without a build."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_vite.core.asset_loader import DjangoViteAssetLoader

from {{ cookiecutter.project_slug }}.vue.build import require_build


@pytest.fixture
def vite(settings):
    """Change DJANGO_VITE for one test; django-vite caches its settings, so reset it around."""
    config = settings.DJANGO_VITE["default"]

    def configure(**changes: object) -> None:
        settings.DJANGO_VITE = {"default": {**config, **changes}}
        DjangoViteAssetLoader._instance = None

    yield configure
    DjangoViteAssetLoader._instance = None


def write_manifest(folder: Path) -> Path:
    manifest = folder / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "src/main.ts": {
                    "file": "assets/main-AbCd1234.js",
                    "src": "src/main.ts",
                    "css": ["assets/main-EfGh5678.css"],
                }
            }
        )
    )
    return manifest


@pytest.mark.django_db
def test_page_loads_the_app_from_the_vite_dev_server_in_dev_mode(client: Client) -> None:
    response = client.get("/app/")
    assert response.status_code == 200
    assert '<div id="app">' in response.text
    assert 'src="http://localhost:8080/static/frontend/@vite/client"' in response.text
    assert 'src="http://localhost:8080/static/frontend/src/main.ts"' in response.text
    # What stays on the page when the dev server is not running (the app replaces it otherwise).
    assert "not answering on port 8080: start it with <code>make frontend-dev</code>" in response.text


@pytest.mark.django_db
def test_page_loads_the_built_files_named_in_the_manifest(client: Client, vite, tmp_path: Path) -> None:
    vite(dev_mode=False, manifest_path=write_manifest(tmp_path))
    response = client.get("/app/")
    assert response.status_code == 200
    assert 'src="/static/frontend/assets/main-AbCd1234.js"' in response.text
    assert 'href="/static/frontend/assets/main-EfGh5678.css"' in response.text
    assert "8080" not in response.text
    assert "make frontend-dev" not in response.text


def test_a_server_without_a_build_refuses_to_start_and_says_how_to_build(vite, tmp_path: Path) -> None:
    vite(dev_mode=False, manifest_path=tmp_path / "missing.json")
    with pytest.raises(ImproperlyConfigured, match="Run `make frontend-build`"):
        require_build()


def test_a_server_with_a_build_or_in_dev_mode_starts(vite, tmp_path: Path) -> None:
    vite(dev_mode=False, manifest_path=write_manifest(tmp_path))
    require_build()
    vite(dev_mode=True, manifest_path=tmp_path / "missing.json")
    require_build()
