from django.urls import path

from sektorbro.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("opgaver/", views.action_items, name="actions"),
    path("opgaver/<int:action_id>/luk/", views.close_action, name="action-close"),
    path("soeg/", views.search, name="search"),
    path("gruppe/<slug:key>/", views.group_detail, name="group"),
    path("gruppe/<slug:key>/nyt-moede/", views.meeting_create, name="meeting-create"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<int:meeting_id>/oplysninger/", views.meeting_update, name="meeting-update"),
    path("<int:meeting_id>/fremmoede/", views.attendance, name="attendance"),
    path("<int:meeting_id>/deltagere/", views.participant_add, name="participant-add"),
    path("<int:meeting_id>/punkter/", views.item_add, name="item-add"),
    path("<int:meeting_id>/punkter/<int:item_id>/", views.item_update, name="item-update"),
    path("<int:meeting_id>/punkter/<int:item_id>/flyt/", views.item_move, name="item-move"),
    path("<int:meeting_id>/punkter/<int:item_id>/slet/", views.item_remove, name="item-remove"),
    path("<int:meeting_id>/punkter/<int:item_id>/beslutning/", views.decision, name="decision"),
    path("<int:meeting_id>/punkter/<int:item_id>/bilag/", views.attachment_add, name="attachment-add"),
    path("<int:meeting_id>/punkter/<int:item_id>/opgaver/", views.action_add, name="action-add"),
    path("<int:meeting_id>/bilag/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path(
        "<int:meeting_id>/bilag/<int:attachment_id>/slet/", views.attachment_remove, name="attachment-remove"
    ),
    path("<int:meeting_id>/afholdt/", views.mark_held, name="held"),
    path("<int:meeting_id>/udgiv/", views.publish, name="publish"),
    path("<int:meeting_id>/ret/", views.open_correction, name="correct"),
    path("<int:meeting_id>/referat/", views.minutes, name="minutes"),
    path("<int:meeting_id>/referat.pdf", views.minutes_pdf, name="minutes-pdf"),
    path("<int:meeting_id>/dagsorden.pdf", views.agenda_pdf, name="agenda-pdf"),
]
