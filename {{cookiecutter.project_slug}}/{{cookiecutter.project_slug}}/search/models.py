from django.db import models


class Article(models.Model):
    """The searchable demo model: its rows are indexed in Elasticsearch (see index.py)."""

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
