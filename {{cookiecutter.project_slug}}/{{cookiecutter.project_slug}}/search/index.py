"""The Elasticsearch index of articles: mapping, indexing, rebuilding and querying.

Readers and writers use an alias (`<ELASTICSEARCH_INDEX_PREFIX>-articles`) that points at one
concrete index. A rebuild fills a fresh index and then moves the alias in one atomic step, so
search keeps answering during a rebuild and a failed rebuild leaves the old index in place.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError, helpers

from .models import Article

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "title": {"type": "text", "analyzer": "english", "fields": {"raw": {"type": "keyword"}}},
        "body": {"type": "text", "analyzer": "english"},
        "created_at": {"type": "date"},
    },
}
INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}


class SearchUnavailable(Exception):
    """Search is off (no ELASTICSEARCH_URL) or Elasticsearch did not answer."""


def enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def client() -> Elasticsearch:
    if not enabled():
        raise SearchUnavailable("search is off: ELASTICSEARCH_URL is not set")
    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10)


def alias_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-articles"


def document(article: Article) -> dict[str, Any]:
    return {"title": article.title, "body": article.body, "created_at": article.created_at.isoformat()}


def _actions(index: str) -> Iterator[dict[str, Any]]:
    for article in Article.objects.order_by("pk").iterator(chunk_size=500):
        yield {"_index": index, "_id": article.pk, "_source": document(article)}


def rebuild(es: Elasticsearch | None = None) -> int:
    """Index every article into a new index, switch the alias to it, drop the old ones.

    Returns the number of articles indexed.
    """
    es = es or client()
    alias = alias_name()
    index = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
    es.indices.create(index=index, mappings=MAPPINGS, settings=INDEX_SETTINGS)
    try:
        indexed, _ = helpers.bulk(es, _actions(index), stats_only=True)
        es.indices.refresh(index=index)
    except Exception:
        es.indices.delete(index=index)
        raise
    try:
        previous = list(es.indices.get_alias(name=alias))
    except NotFoundError:
        previous = []
    actions: list[dict[str, Any]] = [{"add": {"index": index, "alias": alias, "is_write_index": True}}]
    actions += [{"remove_index": {"index": old}} for old in previous]
    es.indices.update_aliases(actions=actions)
    return indexed


def ensure_index(es: Elasticsearch) -> None:
    """Create the index (empty) when the alias does not exist yet."""
    if not es.indices.exists_alias(name=alias_name()):
        rebuild(es)


def index_article(article: Article) -> None:
    es = client()
    ensure_index(es)
    es.index(index=alias_name(), id=str(article.pk), document=document(article), refresh="wait_for")


def remove_article(pk: int) -> None:
    es = client()
    with contextlib.suppress(NotFoundError):
        es.delete(index=alias_name(), id=str(pk), refresh="wait_for")


def search(query: str, size: int = 20) -> list[dict[str, Any]]:
    """Articles matching `query`, best first: id, title and highlighted HTML fragments."""
    es = client()
    try:
        response = es.search(
            index=alias_name(),
            query={"multi_match": {"query": query, "fields": ["title^2", "body"], "fuzziness": "AUTO"}},
            # The html encoder escapes the text around the <em> tags, so fragments are safe HTML.
            highlight={"encoder": "html", "fields": {"title": {}, "body": {}}},
            size=size,
        )
    except NotFoundError:
        return []  # nothing indexed yet
    return [
        {
            "id": int(hit["_id"]),
            "score": hit["_score"],
            "title": hit["_source"]["title"],
            "fragments": [
                fragment for fragments in hit.get("highlight", {}).values() for fragment in fragments
            ],
        }
        for hit in response["hits"]["hits"]
    ]
