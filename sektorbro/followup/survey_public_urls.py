"""The public answer pages for citizens and relatives, /svar/ (no login; ``sektorbro/urls.py``)."""

from django.urls import path

from sektorbro.followup import survey_views as views

app_name = "survey_answer"
urlpatterns = [
    path("", views.answer_start, name="start"),
    path("tak/", views.thanks, name="thanks"),
    path("<str:code>/", views.answer, name="answer"),
]
