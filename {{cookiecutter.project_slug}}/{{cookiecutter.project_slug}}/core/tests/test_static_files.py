"""The production storage of static files remembers each URL until the manifest can change."""

from pathlib import Path

import pytest
from django.test import override_settings

from {{ cookiecutter.project_slug }}.core.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path: Path) -> StaticFilesStorage:
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    # What collectstatic's manifest says, without running it.
    storage.hashed_files = {"css/project.css": "css/project.0123abcd.css"}
    return storage


def test_the_url_is_the_hashed_name_and_is_remembered(storage: StaticFilesStorage) -> None:
    assert storage.url("css/project.css") == "/static/css/project.0123abcd.css"
    storage.hashed_files = {"css/project.css": "css/project.fedc9876.css"}
    assert storage.url("css/project.css") == "/static/css/project.0123abcd.css"


def test_a_settings_change_forgets_the_urls(storage: StaticFilesStorage) -> None:
    storage.url("css/project.css")
    storage.hashed_files = {"css/project.css": "css/project.fedc9876.css"}
    with override_settings(STATIC_URL="/assets/"):
        assert storage.url("css/project.css").endswith("/css/project.fedc9876.css")


def test_collectstatic_forgets_the_urls(storage: StaticFilesStorage) -> None:
    storage.url("css/project.css")
    list(storage.post_process({}, dry_run=True))
    storage.hashed_files = {"css/project.css": "css/project.fedc9876.css"}  # the new manifest
    assert storage.url("css/project.css") == "/static/css/project.fedc9876.css"


def test_a_file_missing_from_the_manifest_fails_every_time(storage: StaticFilesStorage) -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


@override_settings(DEBUG=True)
def test_under_debug_the_plain_name_is_served(storage: StaticFilesStorage) -> None:
    assert storage.url("css/project.css") == "/static/css/project.css"
