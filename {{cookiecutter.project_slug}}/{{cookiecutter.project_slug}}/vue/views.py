from django.conf import settings
from django.views.generic import TemplateView


class AppView(TemplateView):
    """The page that mounts the Vue app: its scripts come from the Vite dev server in
    development and from the build (through django-vite's manifest) in production."""

    template_name = "vue/app.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        vite = settings.DJANGO_VITE["default"]
        # In dev mode a stopped dev server would leave the page blank: the page says why instead.
        context["vite_dev_server_port"] = vite["dev_server_port"] if vite["dev_mode"] else None
        return context
