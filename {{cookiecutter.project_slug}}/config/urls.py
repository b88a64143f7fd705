from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("{{ cookiecutter.project_slug }}.core.urls")),
    path("admin/", admin.site.urls),
{%- if feature("celery") %}
    path("tasks/", include("{{ cookiecutter.project_slug }}.tasks.urls")),
{%- endif %}
{%- if feature("elasticsearch") %}
    path("search/", include("{{ cookiecutter.project_slug }}.search.urls")),
{%- endif %}
{%- if feature("vue") %}
    path("api/", include("{{ cookiecutter.project_slug }}.api.urls")),
    path("app/", include("{{ cookiecutter.project_slug }}.vue.urls")),
{%- endif %}
]

if settings.DEBUG:
    # Uploaded files; in production the proxy (or the storage service) serves them.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
