from django.urls import path

from sektorbro.workspace import views

app_name = "workspace"
urlpatterns = [path("", views.worklist_partial, name="worklist")]
