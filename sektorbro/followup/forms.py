"""The audit pages' forms. They only parse input; ``services.py`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sektorbro.followup.models import Answer, AuditRound, Party, RoundStatus, Theme
from sektorbro.organisations.models import Cluster, OrganisationUnit

DATE_WIDGET = forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": "dd.mm.åååå", "inputmode": "numeric"})
DATE_HELP = _("As dd.mm.yyyy.")


class RoundForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Admissions from"), widget=DATE_WIDGET, help_text=DATE_HELP)
    period_end = forms.DateField(label=_("Admissions to"), widget=DATE_WIDGET, help_text=DATE_HELP)
    meeting_on = forms.DateField(
        label=_("Audit meeting"), widget=DATE_WIDGET, required=False, help_text=DATE_HELP
    )
    selection = forms.CharField(
        label=_("How the courses were selected"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, clusters: QuerySet[Cluster], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cluster"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = clusters


class RoundEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Admissions from"), widget=DATE_WIDGET, help_text=DATE_HELP)
    period_end = forms.DateField(label=_("Admissions to"), widget=DATE_WIDGET, help_text=DATE_HELP)
    meeting_on = forms.DateField(
        label=_("Audit meeting"), widget=DATE_WIDGET, required=False, help_text=DATE_HELP
    )
    selection = forms.CharField(
        label=_("How the courses were selected"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=RoundStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


def cluster_units(cluster_id: int) -> QuerySet[OrganisationUnit]:
    """The organisations an audit group member can come from: the cluster's hospitals, its municipalities'
    units and GP clinics."""
    return OrganisationUnit.objects.filter(
        Q(kind="hospital", cluster_id=cluster_id)
        | Q(kind__in=["municipal_unit", "gp_clinic"], municipality__cluster_id=cluster_id)
    ).order_by("kind", "name")


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    party = forms.ChoiceField(label=_("Party"), choices=Party.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=OrganisationUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, audit_round: AuditRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cluster_units(audit_round.cluster_id)


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Theme"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlatformCourseForm(forms.Form):
    course_id = forms.CharField(
        label=_("Course id"),
        max_length=64,
        help_text=_("The id in the course's address (/forloeb/…/). Only courses you may see can be added."),
    )


class CandidatesForm(forms.Form):
    file = forms.FileField(
        label=_("Candidates file (CSV)"),
        help_text=_(
            "Made by the command sektorbro audits candidates. Opaque person ids only, never CPR numbers."
        ),
    )


ANSWER_CHOICES = [("", _("Not answered")), *Answer.choices]


class ReviewForm(forms.Form):
    coherent = forms.ChoiceField(
        label=_("Is the course coherent?"), choices=ANSWER_CHOICES, required=False, widget=forms.RadioSelect
    )
    coherent_note = forms.CharField(
        label=_("Coherence: what the group saw"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preventable = forms.ChoiceField(
        label=_("Could the admissions have been prevented?"),
        choices=ANSWER_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    preventable_note = forms.CharField(
        label=_("Prevention: how"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    patterns = forms.CharField(
        label=_("What patterns do we see?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SuggestionForm(forms.Form):
    text = forms.CharField(
        label=_("Improvement suggestion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    party = forms.ChoiceField(label=_("Who can act"), choices=[("", "–"), *Party.choices])
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("Not coded yet")
    )

    def __init__(self, *args: Any, audit_round: AuditRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["theme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = audit_round.themes.all()
