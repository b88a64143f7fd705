from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.DemoPageView.as_view(), name="index"),
    path("demo/", views.enqueue_demo, name="demo"),
    path("demo/<int:pk>/", views.demo_status, name="demo-status"),
]
