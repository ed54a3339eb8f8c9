"""Stays and admissions: physical contacts of one person that overlap or lie at most ``gap_hours`` apart form
one stay (across hospitals); a stay of ``admission_hours`` or more is an admission. The stay takes its area,
priority and action diagnosis from its first contact."""

from __future__ import annotations

from typing import Any

import ibis

PARAMETERS = {"gap_hours": 4, "admission_hours": 12}


def stays(contacts: Any, *, gap_hours: int = 4, admission_hours: int = 12) -> Any:
    physical = contacts.filter(contacts.contact_type == "ALCA00")
    order = [physical.start, physical["end"], physical.contact_id]
    previous_end = (
        physical["end"].max().over(ibis.window(group_by=physical.person_id, order_by=order, rows=(None, -1)))
    )
    marked = physical.mutate(previous_end=previous_end)
    marked = marked.mutate(
        new_stay=(
            marked.previous_end.isnull()
            | (marked.start > marked.previous_end + ibis.interval(hours=gap_hours))
        ).cast("int64")
    )
    numbered = marked.mutate(
        stay_no=marked.new_stay.sum().over(
            ibis.window(
                group_by=marked.person_id,
                order_by=[marked.start, marked["end"], marked.contact_id],
                rows=(None, 0),
            )
        ),
        first=ibis.row_number().over(
            ibis.window(
                group_by=[marked.person_id], order_by=[marked.start, marked["end"], marked.contact_id]
            )
        ),
    )
    grouped = numbered.group_by(["person_id", "stay_no"]).aggregate(
        start=numbered.start.min(),
        end=numbered["end"].max(),
        area=numbered.area.first(order_by=[numbered.start, numbered.contact_id]),
        priority=numbered.priority.first(order_by=[numbered.start, numbered.contact_id]),
        action_diagnosis=numbered.action_diagnosis.first(order_by=[numbered.start, numbered.contact_id]),
        hospital_code=numbered.hospital_code.first(order_by=[numbered.start, numbered.contact_id]),
        municipality_code=numbered.municipality_code.first(order_by=[numbered.start, numbered.contact_id]),
        last_mode=numbered.discharge_mode.first(
            order_by=[numbered["end"].desc(), numbered.contact_id.desc()]
        ),
        any_hospice=numbered.hospice.any(),
        any_cancer=(numbered.action_diagnosis.re_search("^(DC|DD0[0-9])")).any(),
    )
    hours = (grouped["end"].epoch_seconds() - grouped.start.epoch_seconds()) / 3600
    return grouped.mutate(hours=hours, admission=hours >= admission_hours)
