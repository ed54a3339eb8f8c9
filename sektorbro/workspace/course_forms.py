from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sektorbro.courses.labels import EVENT_LABELS
from sektorbro.courses.models import DischargeDestination

CATEGORIES = [
    ("discharge", _("Discharge")),
    ("nursing", _("Nursing")),
    ("carecoordination", _("Care coordination")),
    ("medicine", _("Medicine")),
    ("assistive-devices", _("Assistive devices")),
    ("home-care-assessment", _("Visitation")),
    ("extended-care-responsibility", _("Extended care responsibility")),
    ("other", _("Other")),
]


#: Fields that belong to one event type only; the page shows them when that type is chosen (app.js).
READY_ONLY = {"data-for-type": "ready_for_discharge"}
WAITING_CHOICES = [
    ("", "–"),
    ("temporary_place", _("A temporary place")),
    ("rehabilitation_place", _("A rehabilitation place")),
    ("nursing_home", _("A nursing-home place")),
    ("home_measures", _("Measures in the home")),
    ("other", _("Other")),
]
#: Events on which the hospital may name the patient-responsible doctor (aftalen 2.2).
DOCTOR_TYPES = ("admitted", "transferred", "ready_for_discharge", "treatment_resumed")
READY_CHECKS = ("fmk_updated", "rehab_plan_made", "patient_informed", "discharge_time_agreed")
READY_FIELDS = (*READY_CHECKS, "waiting_for", "waiting_reason")


# A death is recorded with its own event ("died"), never as a place the citizen is discharged to.
DESTINATION_CHOICES = [
    ("", "–"),
    *[c for c in DischargeDestination.choices if c[0] != DischargeDestination.DEAD],
]


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("What happened"))
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    date = forms.DateField(
        label=_("Date (for a discharge date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    destination = forms.ChoiceField(label=_("Discharged to"), required=False, choices=DESTINATION_CHOICES)
    municipal_nursing = forms.BooleanField(
        label=_("Municipal nursing after the discharge"),
        required=False,
        help_text=_(
            "For a discharge: the citizen gets municipal nursing at home (decides the 72-hour extended "
            "responsibility, aftalen 2.2)."
        ),
    )
    changes = forms.CharField(
        label=_("What is new in this care plan (NYT)"),
        help_text=_(
            "For an updated care plan: one change per line. Each is recorded with the date (Dato) and marked NYT "
            "(flowchart P12)."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible_doctor = forms.CharField(
        label=_("Patient-responsible doctor (name)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"data-for-type": " ".join(DOCTOR_TYPES)}),
        help_text=_("The named doctor responsible for the course in hospital (aftalen 2.2)."),
    )
    # A færdigbehandlet registration: the criteria of aftalen 2.1 and what the continued stay waits for.
    fmk_updated = forms.BooleanField(
        label=_("FMK updated"), required=False, widget=forms.CheckboxInput(attrs=READY_ONLY)
    )
    rehab_plan_made = forms.BooleanField(
        label=_("Rehabilitation plan made"), required=False, widget=forms.CheckboxInput(attrs=READY_ONLY)
    )
    patient_informed = forms.BooleanField(
        label=_("Patient and relatives informed"),
        required=False,
        widget=forms.CheckboxInput(attrs=READY_ONLY),
    )
    discharge_time_agreed = forms.BooleanField(
        label=_("Discharge time agreed with the municipality"),
        required=False,
        widget=forms.CheckboxInput(attrs=READY_ONLY),
    )
    waiting_for = forms.ChoiceField(
        label=_("The continued stay waits for"),
        required=False,
        choices=WAITING_CHOICES,
        widget=forms.Select(attrs=READY_ONLY),
        help_text=_(
            "For a ready-for-discharge registration: a registration is only needed when the patient cannot go "
            "home the same day (aftalen 2.1)."
        ),
    )
    waiting_reason = forms.CharField(
        label=_("Why the patient cannot go home yet"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, **READY_ONLY}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen_seq = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The event an acceptance or a dispute answers (set by the buttons on the course page).
    ref_seq = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, event_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t, EVENT_LABELS[t]) for t in event_types]
        # Fields for event types the user cannot record are left out (e.g. the checklist for the municipality).
        if "ready_for_discharge" not in event_types:
            for name in READY_FIELDS:
                self.fields.pop(name, None)
        if not set(DOCTOR_TYPES) & set(event_types):
            self.fields.pop("responsible_doctor", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") in ("discharge_date_proposed", "discharge_date_agreed") and not data.get("date"):
            self.add_error("date", _("Give the discharge date."))
        if data.get("type") != "care_plan_sent" and data.get("changes"):
            self.add_error("changes", _("Only a care plan has changes marked NYT."))
        if data.get("type") == "discharged" and not data.get("destination"):
            self.add_error("destination", _("Choose where the citizen is discharged to."))
        if data.get("responsible_doctor") and data.get("type") not in DOCTOR_TYPES:
            self.add_error(
                "responsible_doctor",
                _(
                    "The doctor is named on an admission, a transfer, a ready-for-discharge registration or "
                    "treatment resumed."
                ),
            )
        if data.get("type") != "ready_for_discharge":
            for name in ("waiting_for", "waiting_reason"):
                if data.get(name):
                    self.add_error(
                        name, _("Only a ready-for-discharge registration says what the stay waits for.")
                    )
        return data

    def doctor_data(self) -> dict[str, Any]:
        """The named patient-responsible doctor, where the hospital gives it (aftalen 2.2)."""
        name = (self.cleaned_data.get("responsible_doctor") or "").strip()
        return {"responsible_doctor": name} if name and self.cleaned_data.get("type") in DOCTOR_TYPES else {}

    def ready_data(self) -> dict[str, Any]:
        """The checklist and the reason for waiting, for a færdigbehandlet registration (aftalen 2.1)."""
        if self.cleaned_data.get("type") != "ready_for_discharge":
            return {}
        data: dict[str, Any] = {name: bool(self.cleaned_data.get(name)) for name in READY_CHECKS}
        for name in ("waiting_for", "waiting_reason"):
            if self.cleaned_data.get(name):
                data[name] = self.cleaned_data[name]
        return data

    def care_plan_changes(self) -> list[dict[str, str]]:
        """The NYT lines as the care plan's changes, each dated with the day the plan was sent."""
        when = self.cleaned_data.get("occurred_at")
        dato = f"{when:%d.%m.%Y}" if when else ""
        lines = (self.cleaned_data.get("changes") or "").splitlines()
        return [{"dato": dato, "nyt": line.strip()} for line in lines if line.strip()]


#: Agreements made by phone: recorded with their own form, naming the other party's person and the call.
PHONE_AGREEMENTS = ("discharge_date_agreed", "weekend_discharge_agreed")
#: Answers given with a button on the course page (accept a proposal, dispute a phone agreement, mark the latest
#: care plan read).
ANSWERS = ("discharge_date_accepted", "discharge_agreement_disputed", "care_plan_acknowledged")


class PhoneAgreementForm(EventForm):
    """An agreement made by phone with the other party (aftalen 2.1: the discharge time is always a mutual
    agreement; flowchart P13 for a weekend or holiday): who at the other party agreed, and when the call was."""

    counterpart = forms.CharField(
        label=_("Agreed by phone with"),
        max_length=200,
        help_text=_("Name and role of the person at the other party, e.g. the municipality's visitator."),
    )
    call_at = forms.DateTimeField(
        label=_("Time of the call"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    field_order = ["type", "date", "counterpart", "call_at", "note", "occurred_at"]

    def __init__(self, *args: Any, event_types: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_phone_%s")  # the event form is on the same page
        super().__init__(*args, event_types=event_types, **kwargs)
        for name in ("destination", "municipal_nursing", "changes", "responsible_doctor", *READY_FIELDS):
            self.fields.pop(name, None)
        self.fields["occurred_at"].label = _("Recorded")
        self.fields["date"].label = _("Agreed discharge date")
        self.fields["type"].label = _("What was agreed")


class CorrespondenceForm(forms.Form):
    receiver = forms.ChoiceField(
        label=_("Recipient"),
        required=False,  # empty: the default recipient (the first offered)
        help_text=_("The letter goes by MedCom to the organisation chosen here."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORIES)
    topic = forms.CharField(label=_("Subject"), required=False, max_length=200)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    phone = forms.CharField(label=_("Your phone number"), required=False, max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen_seq = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, recipients: Sequence[Any] = (), **kwargs: Any) -> None:
        """``recipients``: the valid recipients (``messaging.addressing.Recipient``), the default first."""
        super().__init__(*args, **kwargs)
        receiver = self.fields["receiver"]
        assert isinstance(receiver, forms.ChoiceField)
        receiver.choices = [
            (
                r.unit.key,
                _("%(name)s (location number %(gln)s)")
                % {"name": r.unit.name, "gln": r.unit.location_number},
            )
            for r in recipients
        ]
        if recipients and not self.is_bound:
            self.initial.setdefault("receiver", recipients[0].unit.key)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == "other" and not data.get("topic"):
            self.add_error("topic", _("The category Other needs a subject."))
        return data


class CourseFactsForm(forms.Form):
    """What the hospital knows about the course beyond its events: the track (a hospital notification does not
    say whether an admission was acute or planned), rehabilitation and municipal nursing after discharge."""

    track = forms.ChoiceField(label=_("Track"), choices=[("acute", _("Acute")), ("planned", _("Planned"))])
    rehabilitation_needed = forms.BooleanField(label=_("Rehabilitation plan needed"), required=False)
    municipal_nursing_after_discharge = forms.BooleanField(
        label=_("Municipal nursing after the discharge"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    seen_seq = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, changeable: frozenset[str] | set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("track", "rehabilitation_needed", "municipal_nursing_after_discharge"):
            if name not in changeable:
                del self.fields[name]
