from django.views.generic import TemplateView


class AppView(TemplateView):
    """The page that mounts the Vue app: its scripts come from the Vite dev server in
    development and from the build (through django-vite's manifest) in production."""

    template_name = "vue/app.html"
