from django.conf import settings
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny, IsAdminUser

from .views import CurrentUserView, ServiceStatusView, SessionView

app_name = "api"
urlpatterns = [
    path("me/", CurrentUserView.as_view(), name="me"),
    path("session/", SessionView.as_view(), name="session"),
    path("health/", ServiceStatusView.as_view(), name="health"),
    # The schema maps every endpoint: open while developing (DEBUG), staff only elsewhere.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny] if settings.DEBUG else [IsAdminUser]),
        name="schema",
    ),
]
