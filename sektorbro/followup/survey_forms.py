"""The survey pages' forms. They only parse input; ``surveys.py`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sektorbro.followup.models import QuestionKind, Survey, SurveyQuestion, SurveyStatus, YesNo
from sektorbro.organisations.models import Cluster


class SurveyForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the survey"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the template's title."),
    )
    cluster = forms.ModelChoiceField(
        label=_("Cluster that owns the survey"),
        queryset=Cluster.objects.none(),
        required=False,
        empty_label=_("The whole region"),
    )
    from_template = forms.BooleanField(
        label=_("Start from the annex-1 questions"), required=False, initial=True
    )

    def __init__(self, *args: Any, clusters: QuerySet[Cluster], region_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cluster"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = clusters
        field.required = not region_wide
        if not region_wide:
            field.empty_label = None


class SurveyEditForm(forms.Form):
    title = forms.CharField(label=_("Title of the survey"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction shown to the respondent"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status of the survey"), choices=SurveyStatus.choices)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question text"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    low_label = forms.CharField(
        label=_("Label of 1 (scale only)"),
        max_length=60,
        required=False,
        help_text=_("For example: Not at all"),
    )
    high_label = forms.CharField(
        label=_("Label of 5 (scale only)"),
        max_length=60,
        required=False,
        help_text=_("For example: Very much"),
    )


class HandoutForm(forms.Form):
    survey = forms.ModelChoiceField(
        label=_("Survey to hand out"), queryset=Survey.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, surveys: QuerySet[Survey], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["survey"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = surveys


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=40,
        help_text=_("The code on the slip you were given, for example K7QM-3XPA-9RTD-H2WC-5NBE."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def answer_form(questions: list[SurveyQuestion], data: Any = None) -> forms.Form:
    """A form with one optional field per question, named ``q<number>``: radio buttons for the scale (1–5, the
    ends labelled) and for yes / no / don't know, a text area for free text."""
    form = forms.Form(data)
    for q in questions:
        name = f"q{q.number}"
        if q.kind == QuestionKind.SCALE:
            choices = [
                (
                    str(v),
                    f"{v} – {q.low_label}"
                    if v == 1 and q.low_label
                    else (f"{v} – {q.high_label}" if v == 5 and q.high_label else str(v)),
                )
                for v in range(1, 6)
            ]
            form.fields[name] = forms.ChoiceField(
                label=q.text, choices=choices, required=False, widget=forms.RadioSelect
            )
        elif q.kind == QuestionKind.YES_NO:
            form.fields[name] = forms.ChoiceField(
                label=q.text, choices=YesNo.choices, required=False, widget=forms.RadioSelect
            )
        else:
            form.fields[name] = forms.CharField(
                label=q.text,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Please do not write names or CPR numbers."),
            )
    return form
