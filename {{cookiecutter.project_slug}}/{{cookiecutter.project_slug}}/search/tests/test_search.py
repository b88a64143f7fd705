import uuid
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from elasticsearch import Elasticsearch

from {{ cookiecutter.project_slug }}.search import index
from {{ cookiecutter.project_slug }}.search.models import Article

pytestmark = pytest.mark.django_db


def test_search_page_says_search_is_off_without_elasticsearch(client: Client, settings) -> None:
    settings.ELASTICSEARCH_URL = ""
    response = client.get(reverse("search:index"), {"q": "anything"})
    assert response.status_code == 200
    assert "Search is off" in response.text


def test_rebuild_command_needs_elasticsearch(settings) -> None:
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
        call_command("rebuild_search_index")


def test_search_page_answers_503_when_elasticsearch_is_down(client: Client, settings) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    response = client.get(reverse("search:index"), {"q": "anything"})
    assert response.status_code == 503
    assert "unavailable" in response.text


@pytest.fixture
def elasticsearch(settings) -> Iterator[Elasticsearch]:
    """The configured cluster, with indices of this test's own prefix, removed afterwards."""
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    es = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10)
    if not es.ping():
        pytest.fail(
            f"ELASTICSEARCH_URL={settings.ELASTICSEARCH_URL} is set but Elasticsearch does not answer",
            pytrace=False,
        )
    yield es
    es.indices.delete(index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}-*", allow_no_indices=True)
    es.close()


@pytest.mark.service("search")
def test_rebuild_then_search(client: Client, elasticsearch: Elasticsearch) -> None:
    Article.objects.create(title="Brewing coffee", body="Grind the beans just before brewing.")
    Article.objects.create(title="Tea ceremonies", body="Water just below boiling.")
    call_command("rebuild_search_index")
    results = index.search("coffee")
    assert [result["title"] for result in results] == ["Brewing coffee"]
    response = client.get(reverse("search:index"), {"q": "beans"})
    assert "Brewing coffee" in response.text
    assert "<em>beans</em>" in response.text


@pytest.mark.service("search")
def test_a_rebuild_replaces_the_previous_index(elasticsearch: Elasticsearch) -> None:
    Article.objects.create(title="First")
    index.rebuild()
    first = set(elasticsearch.indices.get_alias(name=index.alias_name()))
    index.rebuild()
    second = set(elasticsearch.indices.get_alias(name=index.alias_name()))
    assert len(first) == len(second) == 1
    assert first != second
    assert not elasticsearch.indices.exists(index=list(first))
