"""Forms for the meeting pages. Every form that changes a meeting carries the meeting's version (optimistic
concurrency: ``services`` refuses a stale one). Lists are typed one per line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sektorbro.governance.models import ActionStatus, Attendance, Participant

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    starts_at = forms.TimeField(label=_("Starts"), required=False, widget=TIME)
    ends_at = forms.TimeField(label=_("Ends"), required=False, widget=TIME)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    case_number = forms.CharField(label=_("Case number"), max_length=60, required=False)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["version"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ItemForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    presenters = forms.CharField(label=_("Presented by"), max_length=300, required=False)
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One proposal per line, e.g. “that the steering group approves the plan”."),
    )
    case_text = forms.CharField(
        label=_("Case presentation"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    links = forms.CharField(
        label=_("Related pages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One link per line as “label | address”, to an indicator page (/overblik/…) or a flowchart step "
            "(/flowchart/…)."
        ),
    )

    def clean_recommendations(self) -> list[str]:
        return _lines(self.cleaned_data.get("recommendations", ""))

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in _lines(self.cleaned_data.get("links", "")):
            label, sep, url = line.rpartition("|")
            if not sep:
                label, url = "", line
            links.append({"label": label.strip(), "url": url.strip()})
        return links

    @staticmethod
    def initial_for(item: Any, version: int) -> dict[str, Any]:
        return {
            "title": item.title,
            "presenters": item.presenters,
            "recommendations": "\n".join(item.recommendations),
            "case_text": item.case_text,
            "links": "\n".join(f"{link['label']} | {link['url']}" for link in item.links),
            "version": version,
        }


class DecisionForm(VersionForm):
    decision = forms.CharField(label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(VersionForm):
    file = forms.FileField(
        label=_("Attachment"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, an image or a text file."),
    )


class MoveForm(VersionForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


ATTENDANCE_CHOICES = [(value, label) for value, label in Attendance.choices]


class AttendanceForm(VersionForm):
    """One attendance choice and note per participant (fields ``attendance_<id>`` and ``note_<id>``)."""

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        for p in participants:
            self.fields[f"attendance_{p.pk}"] = forms.ChoiceField(
                label=_("Attendance of %(name)s") % {"name": p.name},
                choices=ATTENDANCE_CHOICES,
                initial=p.attendance,
                required=False,
            )
            self.fields[f"note_{p.pk}"] = forms.CharField(
                label=_("Note for %(name)s") % {"name": p.name},
                max_length=200,
                required=False,
                initial=p.note,
            )

    def rows(self) -> list[tuple[Participant, Any, Any]]:
        return [(p, self[f"attendance_{p.pk}"], self[f"note_{p.pk}"]) for p in self.participants]

    def entries(self) -> dict[int, tuple[str, str]]:
        """The participants whose attendance was sent (a participant added meanwhile is left as it is)."""
        return {
            p.pk: (self.cleaned_data[f"attendance_{p.pk}"], self.cleaned_data.get(f"note_{p.pk}", ""))
            for p in self.participants
            if self.cleaned_data.get(f"attendance_{p.pk}")
        }


class ParticipantForm(VersionForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    attendance = forms.ChoiceField(label=_("Attendance"), choices=ATTENDANCE_CHOICES, initial="present")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ActionItemForm(VersionForm):
    text = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    owner = forms.CharField(
        label=_("Who"), max_length=200, help_text=_("A person or an organisation, e.g. “the municipalities”.")
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    deadline_note = forms.CharField(
        label=_("Deadline note"),
        max_length=100,
        required=False,
        help_text=_("e.g. “before the next meeting”"),
    )
    owner_user = forms.ChoiceField(label=_("Owner's user account"), required=False)

    def __init__(self, *args: Any, users: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in users or []}
        field = self.fields["owner_user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("None")), *[(k, u.display_name()) for k, u in self.users.items()]]

    def owner_user_object(self) -> Any:
        return self.users.get(self.cleaned_data.get("owner_user") or "")


class CloseActionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"),
        choices=[(ActionStatus.DONE, _("Done")), (ActionStatus.CANCELLED, _("Cancelled"))],
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    meeting = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class PublishForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        required=False,
        help_text=_("Shown with the new version of the minutes."),
    )
