"""Keep the index in step with the database, once each change is committed.

A failure to reach Elasticsearch is logged, never raised: saving an article must not depend on
search being up, and `manage.py rebuild_search_index` catches up afterwards.
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from elasticsearch import ApiError, TransportError

from . import index
from .models import Article

logger = logging.getLogger(__name__)


def _quietly(action: Any, *args: Any) -> None:
    try:
        action(*args)
    except (ApiError, TransportError):
        logger.exception("Search index update failed; run `manage.py rebuild_search_index`")


@receiver(post_save, sender=Article)
def article_saved(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    if index.enabled():
        transaction.on_commit(lambda: _quietly(index.index_article, instance))


@receiver(post_delete, sender=Article)
def article_deleted(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    if index.enabled():
        pk = instance.pk
        transaction.on_commit(lambda: _quietly(index.remove_article, pk))
