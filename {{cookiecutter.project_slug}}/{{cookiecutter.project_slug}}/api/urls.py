from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .views import CurrentUserView, ServiceStatusView, SessionView

app_name = "api"
urlpatterns = [
    path("me/", CurrentUserView.as_view(), name="me"),
    path("session/", SessionView.as_view(), name="session"),
    path("health/", ServiceStatusView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
