from django.urls import path

from .views import HomeView, liveness, readiness

app_name = "core"
urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("health/", readiness, name="health"),
    path("health/live/", liveness, name="health-live"),
]
