"""bench/inspection.py at a tiny size, so that it cannot rot: it builds its data set, every
figure is measured, the conduct screen and the save cost the same number of queries whatever is
filled (and stay within the goal), and the rows written in bulk have the shapes the services
leave."""

import pytest

from bench import inspection as bench
from inspection.models import FindingEvidence, Inspection, Recommendation, Verification
from workflow.choices import OPEN_STATES, AssignmentSource

pytestmark = pytest.mark.slow

TINY = bench.Sizes(criteria=4, photos=2, inspections=9, recommendations=24, agencies=6)


@pytest.fixture
def subjects(db, settings, tmp_path):
    settings.ROOT_URLCONF = "bench.urls"  # the floors
    settings.MEDIA_ROOT = tmp_path
    return bench.build(TINY, say=lambda *_args: None)


def test_every_figure_is_measured_and_the_queries_do_not_depend_on_what_is_filled(subjects):
    results = bench.measure(subjects, runs=1, warmups=0)
    by_label = {r.label: r for r in results}
    assert all(r.floor in by_label for r in results if not r.is_floor)

    at_0, at_n = bench.conduct_counts(results)
    assert at_0 == at_n <= bench.GOAL_QUERIES
    saves = [r.queries for r in results if r.label.startswith(("save a new", "save a changed"))]
    assert len(saves) == 2 and saves[0] == saves[1] <= bench.GOAL_QUERIES
    resend = next(r for r in results if r.label.startswith("save a finding sent again"))
    assert resend.queries <= bench.GOAL_QUERIES
    assert by_label["organiser's overview"].queries <= bench.GOAL_QUERIES
    # The resend changed nothing; the new findings were taken out again.
    assert not subjects.empty.findings.exists()
    assert subjects.filled.findings.filter(side="team").count() == TINY.criteria


def test_the_data_set_has_the_asked_sizes_in_the_shapes_the_services_leave(subjects):
    year = Inspection.objects.filter(plan__year=subjects.year)
    assert year.count() == TINY.inspections
    recommendations = Recommendation.objects.filter(inspection__plan__year=subjects.year)
    assert recommendations.count() == TINY.recommendations
    assert FindingEvidence.objects.count() == TINY.criteria * TINY.photos
    assert subjects.filled.findings.filter(side="agency").count() == TINY.criteria

    # The two recommendations the services issued, and the rest written in bulk, alike.
    made = list(recommendations.filter(inspection=subjects.walked).select_related("assignment"))
    bulk = list(recommendations.exclude(inspection=subjects.walked).select_related("assignment"))
    assert len(made) == 2 and bulk

    def shape(rec):
        work = rec.assignment
        return (
            work.source,
            work.role,
            work.modality,
            work.due_policy,
            work.agency_id == rec.agency_id,
            work.item_id == rec.item_id,
            work.title.split(":")[0],
            work.expected_output.split("(")[0],
        )

    assert {shape(r) for r in bulk} == {shape(made[0])}
    assert made[0].assignment.source == AssignmentSource.INSPECTION
    for rec in bulk:
        assert rec.assignment.due_date == rec.due_date
        if rec.status == "issued":
            assert rec.assignment.state in OPEN_STATES
        else:
            assert rec.assignment.state == "done"
        if rec.status == "done":
            assert Verification.objects.filter(
                recommendation=rec, assignment=rec.assignment, result="done"
            ).exists()
        if rec.reissued:
            first = Verification.objects.get(recommendation=rec, result="not_done")
            assert rec.assignment.parent_id == first.assignment_id
    # Inspections past their conclusion, and their teams' rights.
    assert year.filter(status__in=["follow_up", "closed"]).exists()
    for inspection in year.select_related("self_report"):
        assert inspection.self_report.source == AssignmentSource.SELF_REPORT
        lead = inspection.team.get(role="lead").user
        assert lead.has_perm("inspection.record_inspection", inspection)
