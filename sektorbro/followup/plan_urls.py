"""The routes for implementation plans, the clusters' experiences and the follow-up report (included from
``followup/urls.py``; the names live in the ``followup`` namespace)."""

from django.urls import path

from sektorbro.followup import plan_views as views

urlpatterns = [
    path("planer/", views.plan_list, name="plans"),
    path("planer/ny/", views.plan_create, name="plan_create"),
    path("planer/materialer/", views.materials, name="materials"),
    path("planer/materialer/ny/", views.material_add, name="material_add"),
    path("planer/materialer/<uuid:material_id>/fil/", views.material_download, name="material_download"),
    path("planer/materialer/<uuid:material_id>/fjern/", views.material_remove, name="material_remove"),
    path("planer/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path("planer/<uuid:plan_id>/opgaver/", views.plan_task_add, name="plan_task_add"),
    path("planer/<uuid:plan_id>/opgaver/<uuid:task_id>/", views.plan_task_status, name="plan_task_status"),
    path("erfaringer/", views.experience_list, name="experiences"),
    path("erfaringer/seminar/", views.seminar, name="seminar"),
    path("erfaringer/<slug:cluster_key>/", views.experience_answer, name="experience_answer"),
    path("rapporter/", views.report_list, name="reports"),
    path("rapporter/ny/", views.report_create, name="report_create"),
    path("rapporter/<uuid:report_id>/", views.report_detail, name="report"),
    path("rapporter/<uuid:report_id>/tekster/", views.report_narratives, name="report_narratives"),
    path("rapporter/<uuid:report_id>/udgiv/", views.report_publish, name="report_publish"),
    path("rapporter/<uuid:report_id>/v<int:number>/", views.report_version, name="report_version"),
    path("rapporter/<uuid:report_id>/v<int:number>.pdf", views.report_version_pdf, name="report_version_pdf"),
]
