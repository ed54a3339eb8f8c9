"""The governance models in the administrators' admin. Published minutes versions are read-only: they are the
record of what was published."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelChoiceField
from django.http import HttpRequest

from sektorbro.governance.models import (
    ActionItem,
    AgendaItem,
    Attachment,
    Group,
    GroupMember,
    Meeting,
    MinutesVersion,
    Participant,
    TermsOfReference,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    fields = [
        "position",
        "name",
        "title",
        "organisation",
        "organisation_kind",
        "role",
        "alternate",
        "user",
        "active",
    ]
    autocomplete_fields = ["user"]


class TermsInline(admin.TabularInline):
    model = TermsOfReference
    extra = 0
    fields = ["version", "title", "dated", "status_note"]
    show_change_link = True


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "key", "members__name"]
    prepopulated_fields = {"key": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["secretaries"]
    inlines = [GroupMemberInline, TermsInline]


@admin.register(GroupMember)
class GroupMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation", "group", "role", "user", "active"]
    list_filter = ["role", "organisation_kind", "active", "group"]
    search_fields = ["name", "title", "organisation", "group__name"]
    autocomplete_fields = ["group", "user"]


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "version", "dated", "status_note"]
    list_filter = ["group"]
    search_fields = ["title", "background", "purpose", "group__name"]
    autocomplete_fields = ["group"]
    readonly_fields = ["created_at"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = [
        "position",
        "name",
        "title",
        "organisation",
        "organisation_kind",
        "attendance",
        "note",
        "member",
    ]
    raw_id_fields = ["member"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["number", "title", "presenters"]
    show_change_link = True


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fk_name = "meeting"
    extra = 0
    fields = ["item", "text", "owner", "deadline", "deadline_note", "status"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # only this meeting's agenda items
            field = formset.form.base_fields["item"]
            assert isinstance(field, ModelChoiceField)
            field.queryset = AgendaItem.objects.filter(meeting=obj)
        return formset


class MinutesVersionInline(admin.TabularInline):
    model = MinutesVersion
    extra = 0
    fields = ["number", "published_at", "published_by", "reason"]
    readonly_fields = ["number", "published_at", "published_by", "reason"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "group", "status", "version"]
    list_filter = ["status", "group"]
    search_fields = ["title", "case_number", "location", "group__name", "items__title", "items__decision"]
    date_hierarchy = "date"
    autocomplete_fields = ["group"]
    readonly_fields = ["version"]
    inlines = [ParticipantInline, AgendaItemInline, ActionItemInline, MinutesVersionInline]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = ["content_type", "size", "sha256", "uploaded_at"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "presenters"]
    list_filter = ["meeting__group"]
    search_fields = ["title", "case_text", "decision", "meeting__title"]
    autocomplete_fields = ["meeting"]
    inlines = [AttachmentInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "deadline", "status", "meeting"]
    list_filter = ["status", "meeting__group"]
    search_fields = ["text", "owner", "closing_note", "meeting__title"]
    date_hierarchy = "deadline"
    autocomplete_fields = ["meeting", "owner_user", "closed_in"]
    raw_id_fields = ["item"]


@admin.register(MinutesVersion)
class MinutesVersionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "number", "published_at", "published_by"]
    list_filter = ["meeting__group"]
    search_fields = ["meeting__title", "reason", "published_by"]
    readonly_fields = ["meeting", "number", "document", "reason", "published_at", "published_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
