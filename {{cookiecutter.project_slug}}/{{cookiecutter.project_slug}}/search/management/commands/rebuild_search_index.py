from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from elasticsearch import ApiError, TransportError

from ... import index


class Command(BaseCommand):
    help = "Index every article into a fresh Elasticsearch index and switch the alias to it."

    def handle(self, *args: object, **options: object) -> None:
        try:
            count = index.rebuild()
        except index.SearchUnavailable as error:
            raise CommandError(str(error)) from error
        except (ApiError, TransportError) as error:
            raise CommandError(f"Elasticsearch at {settings.ELASTICSEARCH_URL} failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} articles into {index.alias_name()}."))
