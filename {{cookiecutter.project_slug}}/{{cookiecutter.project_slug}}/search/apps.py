from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.search"
    verbose_name = "Search"
    navigation = ("Search", "search:index")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the indexing receivers)
