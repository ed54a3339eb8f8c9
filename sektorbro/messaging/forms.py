"""The reply form on a received letter's page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    phone = forms.CharField(
        label=_("Phone number for the reply"),
        required=False,
        max_length=30,
        help_text=_("Empty: your unit's number."),
    )
