from django.urls import path, re_path

from sektorbro.overview import views

app_name = "overview"
urlpatterns = [
    path("", views.index, name="index"),
    path("indikator/<slug:indicator_id>/", views.indicator, name="indicator"),
    re_path(r"^(?P<level>region)/$", views.unit_page, name="region"),
    re_path(r"^(?P<level>region)/eksport\.(?P<fmt>csv|xlsx|dk\.csv)$", views.export, name="region_export"),
    re_path(r"^(?P<level>region)/rapport\.pdf$", views.report_pdf, name="region_pdf"),
    re_path(r"^(?P<level>klynge)/(?P<key>[a-z0-9-]+)/$", views.unit_page, name="cluster"),
    re_path(r"^(?P<level>klynge)/(?P<key>[a-z0-9-]+)/rapport\.pdf$", views.report_pdf, name="cluster_pdf"),
    re_path(
        r"^(?P<level>klynge)/(?P<key>[a-z0-9-]+)/eksport\.(?P<fmt>csv|xlsx|dk\.csv)$",
        views.export,
        name="cluster_export",
    ),
    re_path(r"^(?P<level>kommune)/(?P<key>[0-9]{3})/$", views.unit_page, name="municipality"),
    re_path(
        r"^(?P<level>kommune)/(?P<key>[0-9]{3})/rapport\.pdf$", views.report_pdf, name="municipality_pdf"
    ),
    re_path(
        r"^(?P<level>kommune)/(?P<key>[0-9]{3})/eksport\.(?P<fmt>csv|xlsx|dk\.csv)$",
        views.export,
        name="municipality_export",
    ),
]
