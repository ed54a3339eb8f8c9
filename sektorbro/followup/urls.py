from django.urls import include, path

from sektorbro.followup import views

app_name = "followup"
urlpatterns = [
    path("audit/", views.rounds, name="audit_rounds"),
    path("audit/ny/", views.round_create, name="audit_round_create"),
    path("audit/<uuid:round_id>/", views.round_detail, name="audit_round"),
    path("audit/<uuid:round_id>/ret/", views.round_edit, name="audit_round_edit"),
    path("audit/<uuid:round_id>/medlemmer/", views.member_add, name="audit_member_add"),
    path(
        "audit/<uuid:round_id>/medlemmer/<int:member_id>/fjern/",
        views.member_remove,
        name="audit_member_remove",
    ),
    path("audit/<uuid:round_id>/temaer/", views.theme_add, name="audit_theme_add"),
    path("audit/<uuid:round_id>/temaer/<int:number>/", views.theme_edit, name="audit_theme_edit"),
    path("audit/<uuid:round_id>/forloeb/", views.course_add, name="audit_course_add"),
    path("audit/<uuid:round_id>/kandidater/", views.candidates_import, name="audit_candidates_import"),
    path("audit/<uuid:round_id>/forloeb/<uuid:course_id>/", views.course_detail, name="audit_course"),
    path(
        "audit/<uuid:round_id>/forloeb/<uuid:course_id>/vurdering/",
        views.course_review,
        name="audit_course_review",
    ),
    path(
        "audit/<uuid:round_id>/forloeb/<uuid:course_id>/forslag/",
        views.suggestion_add,
        name="audit_suggestion_add",
    ),
    path(
        "audit/<uuid:round_id>/forloeb/<uuid:course_id>/fjern/",
        views.course_remove,
        name="audit_course_remove",
    ),
    path("audit/<uuid:round_id>/forslag/", views.suggestions, name="audit_suggestions"),
    path(
        "audit/<uuid:round_id>/forslag/<uuid:suggestion_id>/",
        views.suggestion_edit,
        name="audit_suggestion_edit",
    ),
    path("audit/<uuid:round_id>/rapport/", views.report, name="audit_report"),
    path("audit/<uuid:round_id>/rapport.pdf", views.report_pdf, name="audit_report_pdf"),
    path("", include("sektorbro.followup.survey_urls")),  # the surveys (annex 1)
    path("", include("sektorbro.followup.plan_urls")),  # plans, experiences, the follow-up report
]
