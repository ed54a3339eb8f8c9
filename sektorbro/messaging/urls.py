from django.urls import path

from sektorbro.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("karantaene/", views.quarantine, name="quarantine"),
    path("udbakke/", views.outbox, name="outbox"),
    path("modtaget/<uuid:message_id>/", views.inbox_detail, name="inbox_detail"),
    path("modtaget/<uuid:message_id>/svar/", views.reply, name="reply"),
    path("modtaget/<uuid:message_id>/genbehandl/", views.reprocess, name="reprocess"),
    path("sendt/<uuid:message_id>/", views.outbox_detail, name="outbox_detail"),
]
