"""Stays (sygehusophold) and admissions (indlæggelser), the building block of every indicator.

Per person, physical contacts (``ALCA00``) are ordered by start; a contact that starts at most ``gap_hours``
after the latest end so far (or overlaps it) joins the current stay, otherwise it opens a new one. So a
transfer between hospitals within 4 hours is one stay, never a readmission. A stay of ``admission_hours`` or
more (earliest start to latest end) is an admission. The stay's area, priority and action diagnosis come from
its first contact (or the longest, see ``StayRules``); municipality and admitting hospital from the first
contact, discharging hospital and discharge mode from the contact that ends last. Cancer and birth codes are
searched in every diagnosis of the stay (action diagnoses and, when present, the diagnoses table); hospice is
any hospice contact.

Only stays some indicator can count are kept (admissions and acute stays); planned outpatient stays still take
part in joining contacts but are then dropped, which keeps the materialised table small."""

from __future__ import annotations

from typing import Any

import ibis

from sektorbro.indicators.model import StayRules
from sektorbro.indicators.valuesets import BIRTH, CANCER

SEQ_BITS = 2**20  # room for the contact's sequence number inside a packed ordering key
# A stay is identified by (person_id, start_s).
ACUTE = "ATA1"
PHYSICAL = "ALCA00"


def age_at(birth: Any, day: Any) -> Any:
    """Whole years from ``birth`` to ``day`` (both Ibis dates), portable across backends."""
    before_birthday = (day.month() * 100 + day.day()) < (birth.month() * 100 + birth.day())
    return (day.year() - birth.year() - before_birthday.cast("int64")).cast("int64")


# The stays columns the indicator definitions read. ``build_stays`` also returns the person's birth and death
# dates, the first contact's priority and the length in hours (for inspection); the engine materialises only
# these (a stay's length is ``end_s - start_s``).
INDICATOR_COLUMNS = (
    "person_id",
    "start_s",
    "end_s",
    "start_day",
    "end_day",
    "area",
    "action_diagnosis",
    "municipality_code",
    "first_hospital",
    "last_hospital",
    "last_mode",
    "any_hospice",
    "any_cancer",
    "any_birth",
    "admission",
    "acute",
    "sex",
    "age",
)


def for_indicators(stays: Any) -> Any:
    """``stays`` narrowed to ``INDICATOR_COLUMNS`` (what the engine holds while the indicators run)."""
    return stays.select(*INDICATOR_COLUMNS)


def build_stays(contacts: Any, persons: Any, diagnoses: Any | None, rules: StayRules) -> Any:
    """The stays table (an Ibis expression; the engine materialises it once).

    Cost matters here (tens of millions of contacts), so the contacts are ordered once: one window over
    (person, start, end, contact) finds, per contact, whether it opens a stay (it starts more than
    ``gap_hours`` after every earlier contact has ended) and whether it closes one (the next contact starts
    more than ``gap_hours`` after the latest end so far). A contact that does both is a stay of its own, which
    is most of them. Only contacts some indicator can count, or that belong to a longer stay, go on; the stays
    of several contacts are numbered with a second, small window."""
    flags = diagnosis_flags(diagnoses) if diagnoses is not None else None
    return stays_from_marked(marked_contacts(contacts, rules), persons, flags, rules)


def diagnosis_flags(diagnoses: Any) -> Any:
    """Contacts with a cancer or birth code in the diagnoses table (``flag_contact``, ``flag_cancer``,
    ``flag_birth``): a few per cent of the contacts, so the engine may materialise it once."""
    flagged = diagnoses.filter(CANCER.match_expr(diagnoses.code) | BIRTH.match_expr(diagnoses.code))
    return flagged.group_by(flagged.contact_id.name("flag_contact")).aggregate(
        flag_cancer=CANCER.match_expr(flagged.code).any(),
        flag_birth=BIRTH.match_expr(flagged.code).any(),
    )


# The contact columns a stay is made from.
CONTACT_COLUMNS = (
    "contact_id",
    "person_id",
    "start_s",
    "end_s",
    "start_day",
    "end_day",
    "hospital_code",
    "area",
    "priority",
    "action_diagnosis",
    "hospice",
    "discharge_mode",
    "municipality_code",
)


def marked_contacts(contacts: Any, rules: StayRules) -> Any:
    """The ordering pass of ``build_stays``: the physical contacts that matter with ``CONTACT_COLUMNS`` and
    their marks (``opens``, ``alone``, ``seq``). The attributes travel through the window, so the contacts
    are read once (the engine gives it the coded text columns as DuckDB ENUMs, a byte or two each)."""
    gap = round(rules.gap_hours * 3600)
    admission_s = round(rules.admission_hours * 3600)
    physical = contacts.filter(contacts.contact_type == PHYSICAL).select(*CONTACT_COLUMNS)
    order = [physical.start_s, physical.end_s, physical.contact_id]
    marked = physical.mutate(
        latest_end=physical.end_s.max().over(
            ibis.window(group_by=physical.person_id, order_by=order, rows=(None, -1))
        ),
        next_start=physical.start_s.lead().over(ibis.window(group_by=physical.person_id, order_by=order)),
        seq=ibis.row_number().over(ibis.window(group_by=physical.person_id, order_by=order)),
    )
    reach = ibis.greatest(marked.latest_end.fill_null(marked.end_s), marked.end_s)  # latest end so far
    marked = marked.mutate(
        opens=marked.latest_end.isnull() | (marked.start_s > marked.latest_end + gap),
        closes=marked.next_start.isnull() | (marked.next_start > reach + gap),
    )
    alone = marked.opens & marked.closes
    countable = ((marked.end_s - marked.start_s) >= admission_s) | (marked.priority == ACUTE)
    return marked.filter(~alone | countable).select(*CONTACT_COLUMNS, "opens", "seq", alone=alone)


def stays_from_marked(marked: Any, persons: Any, flags: Any | None, rules: StayRules) -> Any:
    """The rest of ``build_stays``: the marked contacts (``marked_contacts``), with the diagnoses table's
    cancer and birth codes (``diagnosis_flags``), made into stays."""
    admission_s = round(rules.admission_hours * 3600)
    wide = marked.mutate(
        cancer=CANCER.match_expr(marked.action_diagnosis), birth=BIRTH.match_expr(marked.action_diagnosis)
    )
    if flags is not None:
        joined = wide.left_join(flags, wide.contact_id == flags.flag_contact)
        wide = joined.select(
            *[c for c in wide.columns if c not in ("cancer", "birth")],
            cancer=joined.cancer | joined.flag_cancer.fill_null(False),
            birth=joined.birth | joined.flag_birth.fill_null(False),
        )

    # Stays of one contact (most of them) need no aggregation.
    single = wide.filter(wide.alone)
    singles = single.select(
        "person_id",
        "start_s",
        "end_s",
        "start_day",
        "end_day",
        "area",
        "priority",
        "action_diagnosis",
        "municipality_code",
        first_hospital=single.hospital_code,
        last_hospital=single.hospital_code,
        last_mode=single.discharge_mode,
        any_hospice=single.hospice,
        any_cancer=single.cancer,
        any_birth=single.birth,
    )

    # Stays of several contacts: the first contact opened the stay (exactly one row), so its attributes need
    # no ordered aggregate; the contact ending last (ties: the later in order) and the longest use packed keys.
    several = wide.filter(~wide.alone)
    upto = ibis.window(group_by=several.person_id, order_by=several.seq, rows=(None, 0))
    several = several.mutate(
        stay_start=ibis.ifelse(several.opens, several.start_s, ibis.null("int64")).max().over(upto)
    )
    first = several.opens
    longest_key = (several.end_s - several.start_s) * SEQ_BITS + (SEQ_BITS - 1 - several.seq)
    last_key = several.end_s * SEQ_BITS + several.seq

    def representative(column: Any) -> Any:
        if rules.attributes_from == "longest":
            return column.argmax(longest_key)
        return column.arbitrary(where=first)

    grouped = several.group_by(["person_id", "stay_start"]).aggregate(
        end_s=several.end_s.max(),
        start_day=several.start_day.arbitrary(where=first),
        end_day=several.end_day.max(),
        area=representative(several.area),
        priority=representative(several.priority),
        action_diagnosis=representative(several.action_diagnosis),
        municipality_code=several.municipality_code.arbitrary(where=first),
        first_hospital=several.hospital_code.arbitrary(where=first),
        last_hospital=several.hospital_code.argmax(last_key),
        last_mode=several.discharge_mode.argmax(last_key),
        any_hospice=several.hospice.any(),
        any_cancer=several.cancer.any(),
        any_birth=several.birth.any(),
    )
    grouped = grouped.rename(start_s="stay_start")
    grouped = grouped.filter(((grouped.end_s - grouped.start_s) >= admission_s) | (grouped.priority == ACUTE))
    kept = singles.union(grouped.select(*singles.columns), distinct=False)
    kept = kept.mutate(admission=(kept.end_s - kept.start_s) >= admission_s, acute=kept.priority == ACUTE)
    people = persons.select(
        p_person=persons.person_id,
        sex=persons.sex,
        birth_date=persons.birth_date,
        death_date=persons.death_date,
    )
    joined = kept.join(people, kept.person_id == people.p_person)
    return joined.select(
        *[c for c in kept.columns],
        "sex",
        "birth_date",
        "death_date",
        hours=(joined.end_s - joined.start_s) / 3600.0,
        age=age_at(joined.birth_date, joined.start_day),
    )
