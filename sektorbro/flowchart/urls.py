from django.urls import path

from sektorbro.flowchart import views

app_name = "flowchart"
urlpatterns = [
    path("", views.index, name="index"),
    # Before the track patterns: "forloeb" is reserved and can never be a track slug (content.RESERVED_SLUGS).
    path("forloeb/<uuid:course_id>/", views.course, name="course"),
    path("<slug:track>/", views.chart, name="chart"),
    path("<slug:track>/<slug:step_id>/", views.step, name="step"),
]
