from django.urls import path

from sektorbro.workspace import citizen_views as views

app_name = "citizens"
urlpatterns = [
    path("", views.citizen_list, name="list"),
    path("soeg-cpr/", views.citizen_cpr_search, name="cpr_search"),
    path("opret/", views.citizen_register, name="register"),
    path("<uuid:citizen_id>/", views.citizen_detail, name="detail"),
    path("<uuid:citizen_id>/laege/", views.named_gp_save, name="named_gp"),
    path("<uuid:citizen_id>/paaroerende/", views.relative_save, name="relative_add"),
    path("<uuid:citizen_id>/paaroerende/<uuid:relative_id>/", views.relative_save, name="relative_edit"),
]
