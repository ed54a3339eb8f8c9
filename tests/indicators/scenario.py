"""One small hand-made region with every rule the indicators have, spelled out case by case (2024).

Expected values in the tests are counted by hand from the comments below."""

from __future__ import annotations

from tests.indicators.builders import World


def scenario() -> World:
    w = World()
    w.person("P1", "1940-01-01", "F", "730")  # 84
    w.person("P2", "1938-05-05", "M", "791", death="2024-02-10")  # 85, dies in hospital
    w.person("P3", "1950-02-02", "F", "730")  # 73 at the stay
    w.person("P4", "1960-03-03", "M", "751")  # 64
    w.person("P5", "1945-04-04", "F", "730")  # 79
    w.person("P6", "1980-06-06", "M", "730")  # psychiatry
    w.person("P7", "1959-06-15", "F", "615")  # turns 65 on 2024-06-15
    w.person("P8", "1950-01-01", "M", "101")  # lives in Copenhagen (outside the region)
    w.person("P9", "1950-03-03", "F", "730")  # the 720-hour window
    w.person("P10", "1950-03-03", "M", "730")  # injury readmission
    w.person("P11", "1950-03-03", "F", "791")  # hospice
    w.person("P12", "1990-03-03", "F", "751")  # births
    w.person("P13", "1950-03-03", "M", "751")  # cancer as a secondary diagnosis
    w.person("P14", "2010-03-03", "M", "730")  # a child with COPD

    # P1: a transfer from Randers to Aarhus 3 hours after leaving Randers: ONE stay (not a readmission),
    # then an acute readmission 8 days later. Both stays are preventable (DJ189 pneumonia, DJ441 COPD).
    w.contact(
        "C1", "P1", "2024-01-10 08:00", "2024-01-10 18:00", hospital="rhr", diagnosis="DJ189", mode="transfer"
    )
    w.contact("C2", "P1", "2024-01-10 21:00", "2024-01-12 10:00", hospital="auh", diagnosis="DI509")
    w.contact("C3", "P1", "2024-01-20 09:00", "2024-01-22 09:00", hospital="rhr", diagnosis="DJ441")
    w.ready_at("C2", "2024-01-11 11:00")  # 1 night, not discharged on the ready date
    # P2: 11 h 59 min is not an admission (but an acute stay); exactly 12 h is, and it ends in death.
    w.contact("C4", "P2", "2024-02-01 08:00", "2024-02-01 19:59", hospital="hem", diagnosis="DR074")
    w.contact(
        "C5", "P2", "2024-02-10 08:00", "2024-02-10 20:00", hospital="hem", diagnosis="DI219", mode="died"
    )
    # P3: exactly 4 hours between two contacts: one stay (cystitis, preventable). Ready and discharged same day.
    w.contact("C6", "P3", "2024-04-01 08:00", "2024-04-01 12:00", diagnosis="DN390", mode="other")
    w.contact("C7", "P3", "2024-04-01 16:00", "2024-04-02 12:00", diagnosis="DN390")
    w.ready_at("C7", "2024-04-02 09:00")
    # P4: 4 h 1 min apart: two stays; the second is planned, so it is no readmission. Aged 64: not preventable.
    w.contact("C8", "P4", "2024-05-01 08:00", "2024-05-01 20:00", hospital="auh", diagnosis="DJ189")
    w.contact(
        "C9", "P4", "2024-05-02 00:01", "2024-05-03 12:00", hospital="auh", priority="ATA3", diagnosis="DK409"
    )
    # P5: a planned cancer stay (never an index) and an acute pneumonia admission after it.
    w.contact("C10", "P5", "2024-06-01 08:00", "2024-06-05 08:00", priority="ATA3", diagnosis="DC509")
    w.contact("C11", "P5", "2024-06-10 08:00", "2024-06-11 08:00", diagnosis="DJ189")
    w.ready_at("C11", "2024-06-10 12:00", resumed="2024-06-10 20:00")  # resumed: 0 nights, not same day
    # P6: psychiatry, an acute readmission 25 days later; a virtual contact never counts.
    w.contact(
        "C12",
        "P6",
        "2024-06-01 08:00",
        "2024-06-10 08:00",
        hospital="psykiatrien",
        area="psychiatric",
        diagnosis="DF200",
    )
    w.contact(
        "C13",
        "P6",
        "2024-07-05 08:00",
        "2024-07-15 08:00",
        hospital="psykiatrien",
        area="psychiatric",
        diagnosis="DF200",
    )
    w.contact(
        "C14",
        "P6",
        "2024-08-01 08:00",
        "2024-08-02 08:00",
        hospital="psykiatrien",
        area="psychiatric",
        kind="ALCA03",
        diagnosis="DF200",
    )
    # P7: dehydration in two short acute stays, the day before and the day of the 65th birthday.
    w.contact("C27", "P7", "2024-06-14 10:00", "2024-06-14 14:00", hospital="rhh", diagnosis="DE869")
    w.contact("C28", "P7", "2024-06-15 10:00", "2024-06-15 14:00", hospital="rhh", diagnosis="DE869")
    # P8: a non-resident admitted at Aarhus: counts for the hospital, not for the region.
    w.contact("C26", "P8", "2024-02-01 08:00", "2024-02-03 08:00", hospital="auh", diagnosis="DJ189")
    # P9: the readmission starts exactly 720 hours after the discharge (counts); the next one 720 h 1 min
    # after (does not; across the change to winter time). Ready, resumed, ready again: 2 nights.
    w.contact("C15", "P9", "2024-08-30 10:00", "2024-09-01 10:00")
    w.contact("C16", "P9", "2024-10-01 10:00", "2024-10-02 10:00")
    w.contact("C17", "P9", "2024-11-01 09:01", "2024-11-02 10:00")
    w.ready_at("C15", "2024-08-30 14:00", resumed="2024-08-31 08:00")
    w.ready_at("C15", "2024-08-31 16:00")
    # P10: an acute admission for a hip fracture 7 days after discharge is an injury, not a readmission
    # (but a preventable stay: fractures are one of the nine groups).
    w.contact("C18", "P10", "2024-03-01 08:00", "2024-03-03 08:00")
    w.contact("C19", "P10", "2024-03-10 08:00", "2024-03-12 08:00", diagnosis="DS720")
    # P11: a hospice stay is never an index admission.
    w.contact("C20", "P11", "2024-03-05 08:00", "2024-03-08 08:00", hospice=True)
    w.contact("C21", "P11", "2024-03-15 08:00", "2024-03-17 08:00", hospital="hem", diagnosis="DJ189")
    # P12: a birth, then an acute readmission for a birth complication: excluded as a readmission.
    w.contact(
        "C22",
        "P12",
        "2024-04-01 08:00",
        "2024-04-03 08:00",
        hospital="auh",
        priority="ATA3",
        diagnosis="DO800",
    )
    w.contact("C23", "P12", "2024-04-10 08:00", "2024-04-12 08:00", hospital="auh", diagnosis="DO829")
    # P13: cancer only as a secondary diagnosis still excludes the index admission.
    w.contact("C24", "P13", "2024-05-01 08:00", "2024-05-03 08:00", hospital="auh", diagnosis="DJ189")
    w.secondary("C24", "DC509")
    w.contact("C25", "P13", "2024-05-10 08:00", "2024-05-12 08:00", hospital="auh", diagnosis="DJ189")

    # Residents on 1 January 2024 (FOLK1A shape).
    w.residents(2024, "730", "F", 80, 300)
    w.residents(2024, "730", "M", 70, 200)
    w.residents(2024, "791", "M", 85, 100)
    w.residents(2024, "751", "M", 60, 400)
    w.residents(2024, "615", "F", 64, 50)
    w.residents(2024, "615", "F", 66, 150)
    w.residents(2024, "751", "F", 30, 250)

    # Chronic conditions: P3 enters during 2024 (counts from 2025), P14 is a child.
    w.condition("P1", "copd", "2020-01-01")
    w.condition("P2", "copd", "2010-01-01")
    w.condition("P6", "copd", "2015-01-01")
    w.condition("P3", "copd", "2024-03-01")
    w.condition("P14", "copd", "2020-01-01")
    w.condition("P12", "diabetes2", "2020-01-01")
    return w
