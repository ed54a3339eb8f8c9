from django.urls import path

from sektorbro.workspace import course_views as views

app_name = "courses"
urlpatterns = [
    path("<uuid:course_id>/", views.course_detail, name="detail"),
    path("<uuid:course_id>/haendelse/", views.record_event, name="record_event"),
    path("<uuid:course_id>/korrespondance/", views.send_correspondence, name="send_correspondence"),
    path("<uuid:course_id>/oplysninger/", views.update_facts, name="update_facts"),
]
