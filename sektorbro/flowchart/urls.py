from django.urls import URLPattern

app_name = "flowchart"
urlpatterns: list[URLPattern] = []
