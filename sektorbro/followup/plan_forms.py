"""Forms for the implementation plans, the clusters' experiences and the follow-up report. They only parse input;
``plans.py``, ``experiences.py`` and ``followup_report.py`` decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sektorbro.followup.experiences import ANSWER_LIMIT, QUESTIONS
from sektorbro.followup.followup_report import NARRATIVE_LIMIT, SECTIONS
from sektorbro.followup.forms import DATE_HELP, DATE_WIDGET
from sektorbro.followup.models import RespondentRole, TaskStatus, Track
from sektorbro.organisations.models import Cluster


def _clusters(form: forms.Form, clusters: QuerySet[Cluster]) -> None:
    field = form.fields["cluster"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = clusters


class PlanForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none())
    summary = forms.CharField(
        label=_("What the plan is about"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, clusters: QuerySet[Cluster], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _clusters(self, clusters)


class TaskForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    title = forms.CharField(label=_("Task"), max_length=300)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE_WIDGET, help_text=DATE_HELP)
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, initial=TaskStatus.PLANNED)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    url = forms.CharField(
        label=_("Link"), required=False, max_length=500, help_text=_("A web address, https://…")
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, an image or plain text."),
    )


class ExperienceForm(forms.Form):
    role = forms.ChoiceField(label=_("I answer as"), choices=RespondentRole.choices, widget=forms.RadioSelect)
    organisation = forms.CharField(label=_("Organisation (optional)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.CharField(
                label=cast(str, question.text),
                help_text=cast(str, question.help),
                required=False,
                max_length=ANSWER_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class ReportForm(forms.Form):
    cluster = forms.ModelChoiceField(
        label=_("Cluster"),
        queryset=Cluster.objects.none(),
        required=False,
        empty_label=_("The whole region"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=DATE_WIDGET, help_text=DATE_HELP)
    period_end = forms.DateField(label=_("Period to"), widget=DATE_WIDGET, help_text=DATE_HELP)

    def __init__(self, *args: Any, clusters: QuerySet[Cluster], region: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _clusters(self, clusters)
        field = self.fields["cluster"]
        assert isinstance(field, forms.ModelChoiceField)
        field.required = not region
        if not region:
            field.empty_label = None


class NarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SECTIONS:
            self.fields[key] = forms.CharField(
                label=_("Narrative: %(section)s") % {"section": label},
                required=False,
                max_length=NARRATIVE_LIMIT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed (optional)"), required=False, max_length=500)
