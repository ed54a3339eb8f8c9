from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sektorbro.citizens.cpr import InvalidCpr, parse_cpr
from sektorbro.citizens.models import Citizen
from sektorbro.organisations.models import Municipality, OrganisationUnit


class CprField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            return parse_cpr(text).digits
        except InvalidCpr as exc:
            messages = {
                "format": _("Write the CPR number as DDMMYY-XXXX (10 digits)."),
                "date": _("The CPR number does not contain a real date of birth."),
            }
            raise forms.ValidationError(messages.get(exc.code, str(exc)), code=f"cpr_{exc.code}") from exc


class CitizenRegistrationForm(forms.Form):
    cpr = CprField(
        label=_("CPR number"), max_length=11, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipality of residence"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="code",
    )
    gp_clinic = forms.ModelChoiceField(
        label=_("Listed GP clinic"),
        queryset=OrganisationUnit.objects.filter(kind="gp_clinic").order_by("name"),
        to_field_name="key",
        required=False,
    )
    receives_elderly_care = forms.BooleanField(label=_("Receives elderly-care services"), required=False)
    known_to_municipal_social_area = forms.BooleanField(
        label=_("Known to the municipal social area"), required=False
    )
    known_to_regional_social_area = forms.BooleanField(
        label=_("Known to the regional social area"), required=False
    )


class CprSearchForm(forms.Form):
    """Searching by CPR is a POST: the number must never appear in a URL."""

    cpr = CprField(
        label=_("CPR number"), max_length=11, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.CharField(label=_("Relation"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    may_be_involved = forms.BooleanField(
        label=_("The citizen consents to involving this relative"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def relatives_section(
    citizen: Citizen, form: RelativeForm | None = None, editing: Any = None
) -> dict[str, Any]:
    """For the relatives section of the citizen and course pages: each relative with a form to change it (consent included), and a form to add one.
    ``form`` is the bound form that failed: the add form, or the edit form of ``editing``."""
    rows = []
    for relative in citizen.relatives.all():
        if editing is not None and relative.pk == editing.pk and form is not None:
            edit_form = form
        else:
            edit_form = RelativeForm(
                initial={
                    "name": relative.name,
                    "relation": relative.relation,
                    "phone": relative.phone,
                    "may_be_involved": relative.may_be_involved,
                    "version": citizen.version,
                },
                auto_id=f"id_relative_{relative.public_id}_%s",
            )
        rows.append((relative, edit_form))
    add_form = (
        form if form is not None and editing is None else RelativeForm(initial={"version": citizen.version})
    )
    return {"relatives": rows, "relative_form": add_form}
