from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.tasks"
    verbose_name = "Background tasks"
    navigation = ("Tasks", "tasks:index")
