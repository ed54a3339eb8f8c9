"""The staff pages of the surveys under /opfoelgning/undersoegelser/ (included from ``followup/urls.py``)."""

from django.urls import path

from sektorbro.followup import survey_views as views

urlpatterns = [
    path("undersoegelser/", views.survey_list, name="surveys"),
    path("undersoegelser/ny/", views.survey_create, name="survey_create"),
    path("undersoegelser/udlever/", views.handout_list, name="survey_handouts"),
    path("undersoegelser/forloeb/<uuid:course_id>/", views.handout, name="survey_handout"),
    path("undersoegelser/<uuid:survey_id>/", views.survey_detail, name="survey"),
    path("undersoegelser/<uuid:survey_id>/ret/", views.survey_edit, name="survey_edit"),
    path("undersoegelser/<uuid:survey_id>/status/", views.survey_status, name="survey_status"),
    path("undersoegelser/<uuid:survey_id>/spoergsmaal/", views.question_add, name="survey_question_add"),
    path(
        "undersoegelser/<uuid:survey_id>/spoergsmaal/<int:number>/",
        views.question_edit,
        name="survey_question_edit",
    ),
    path("undersoegelser/<uuid:survey_id>/resultater/", views.survey_results, name="survey_results"),
]
