"""The flowchart's content says what the agreement says (issue 17, "The flowchart's content"): principle 6's
advice for recurring symptoms in the care plan, annex 2's principles 2 and 5 and its MedCom recommendation in
the psychiatric chart, P15 in both lanes it concerns, and principle 5's "respektfuld"."""

from __future__ import annotations

from sektorbro.flowchart.content import Chart, Step, load_flowchart


def _all_text(step: Step, language: str = "da") -> str:
    parts = [step.summary.get(language), *(a.text.get(language) for a in step.actions)]
    return " ".join(parts)


def _chart(chart_id: str) -> Chart:
    return load_flowchart().chart(chart_id)


def test_the_care_plan_step_says_what_to_do_if_symptoms_recur() -> None:
    """Aftalen 1, princip 6: the care plan suggests what to do when/if the citizen gets similar symptoms."""
    step = _chart("somatic_planned").step("2-4")
    assert step is not None and 6 in {p.number for p in step.principles}
    hospital = step.action_for("hospital")
    assert hospital is not None
    assert "lignende symptomer" in hospital.text.da and "genindlæggelse" in hospital.text.da
    assert "similar symptoms" in hospital.text.en


def test_the_psychiatric_chart_has_annex_2_principles_2_and_5_and_the_medcom_recommendation() -> None:
    chart = _chart("psychiatric")
    text = " ".join(_all_text(s) for s in chart.steps)
    english = " ".join(_all_text(s, "en") for s in chart.steps)
    # principle 5: shared training, networks, audits of complex courses
    assert "fælles skolebænk" in text and "netværk" in text and "audits på udfordrende og komplekse" in text
    assert "audits of challenging and complex courses" in english
    # principle 2: equal treatment of psychiatric and somatic patients
    assert "Psykiatriske og somatiske patienter ligestilles" in text and "lighed i sundhed" in text
    # principles 3 and 4: the same digital options via MedCom as in somatics
    assert "samme digitale kommunikationsmuligheder via MedCom som somatikken" in text
    sources = {(s.type, s.ref, s.label.da) for step in chart.steps for s in step.sources}
    assert any(kind == "annex" and "princip 3" in label for kind, _, label in sources)


def test_p15_appears_in_both_lanes_it_concerns() -> None:
    step = _chart("somatic_planned").step("2-5")
    assert step is not None and "P15" in {d.rule for d in step.deadlines}
    for lane in ("hospital", "municipality"):
        action = step.action_for(lane)
        assert action is not None and "fredag eftermiddag" in action.text.da, lane
        assert "Friday afternoon" in action.text.en, lane


def test_principle_5_says_respectful() -> None:
    principle = next(p for p in load_flowchart().principles if p.number == 5)
    assert "respektfuld" in principle.summary.da and "høflig" not in principle.summary.da
    assert "respectful" in principle.summary.en


def test_clinician_texts_do_not_talk_about_recovering_pages() -> None:
    """Notes on what was recovered live in the recovery markers, gap notes, source notes and the chart's gaps
    text (the revision view); the texts clinicians read (summaries, actions, deadlines) do not carry them."""
    for chart in load_flowchart().charts:
        for step in chart.steps:
            if step.is_gap:
                continue
            texts = [_all_text(step), *(d.text.da for d in step.deadlines)]
            assert not any("genfundet" in t for t in texts), (chart.id, step.id)
