from django.apps import AppConfig


class VueConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.vue"
    verbose_name = "Vue frontend"
    # The site's menu links here (see core.context_processors.site).
    navigation = ("App", "vue:app")
