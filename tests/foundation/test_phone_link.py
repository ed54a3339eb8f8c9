"""Phone numbers on pages are links a phone can dial, and the demo's invented numbers say so."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from sektorbro.core.templatetags.phones import dialable, phone_link


def test_a_number_is_dialled_without_spaces() -> None:
    assert dialable("+45 78 42 00 00") == "+4578420000"
    assert dialable(" 78 42 00 00 ") == "78420000"


def test_the_link_marks_an_example_number_and_escapes_the_text() -> None:
    with translation.override("da"):
        html = str(phone_link(SimpleNamespace(phone="+45 78 42 00 00", phone_is_example=True)))
    assert html.startswith('<a class="phone" href="tel:+4578420000">+45 78 42 00 00</a>')
    assert "(eksempelnummer)" in html
    assert "<b>" not in str(phone_link(SimpleNamespace(phone="<b>12345678</b>", phone_is_example=False)))


def test_no_number_no_link() -> None:
    assert phone_link(SimpleNamespace(phone="", phone_is_example=True)) == ""
    assert phone_link(None) == ""
