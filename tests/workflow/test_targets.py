"""Targets (chỉ tiêu): the status rule at its boundaries, and the services that set targets,
report values with their evidence files, confirm and correct them — each allowance beside its
denial."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from core.flowtasks import AlreadyHandled
from core.models import AuditEvent
from tests.fixtures.workflow import vn
from workflow import selectors
from workflow.choices import IndicatorDirection, IndicatorStatus, Period
from workflow.models import Indicator, Measurement, MeasurementEvidence
from workflow.selectors import targets as targets_selectors
from workflow.services import (
    indicator_create,
    indicator_update,
    measurement_confirm,
    measurement_report,
)
from workflow.services.targets import measurement_correct
from workflow.targets import AT_RISK_DAYS, indicator_status, target_reached

TODAY = date(2026, 6, 15)
HIGHER, LOWER = IndicatorDirection.HIGHER, IndicatorDirection.LOWER


def status(value, *, target_min=None, target_max=None, direction=HIGHER, due_on=None):
    return indicator_status(
        value=None if value is None else Decimal(value),
        target_min=None if target_min is None else Decimal(target_min),
        target_max=None if target_max is None else Decimal(target_max),
        direction=direction,
        due_on=due_on,
        today=TODAY,
    )


# The rule, at its boundaries ----------------------------------------------------------------


def test_exactly_at_the_target_is_met_and_one_unit_short_is_not():
    assert status("80", target_min="80", target_max="80") == IndicatorStatus.MET
    assert status("79", target_min="80", target_max="80") != IndicatorStatus.MET


def test_when_lower_is_better_the_target_is_met_at_it_or_below():
    rank = {"target_min": "20", "target_max": "20", "direction": LOWER}
    assert status("20", **rank) == IndicatorStatus.MET
    assert status("12", **rank) == IndicatorStatus.MET
    assert status("21", **rank) != IndicatorStatus.MET


def test_a_range_is_met_from_its_near_end():
    # "up 5 to 10 places": 5 is met, 4 is not, 12 is more than met.
    places = {"target_min": "5", "target_max": "10"}
    assert status("5", **places) == IndicatorStatus.MET
    assert status("12", **places) == IndicatorStatus.MET
    assert status("4", **places) != IndicatorStatus.MET
    # Lower is better: "20-25 days at most" is met at 25, not at 26.
    days = {"target_min": "20", "target_max": "25", "direction": LOWER}
    assert status("25", **days) == IndicatorStatus.MET
    assert status("26", **days) != IndicatorStatus.MET


def test_a_target_due_today_is_not_missed_yet_and_due_yesterday_is():
    short = {"target_min": "80", "target_max": "80"}
    assert status("79", due_on=TODAY, **short) == IndicatorStatus.AT_RISK
    assert status("79", due_on=TODAY - timedelta(days=1), **short) == IndicatorStatus.MISSED
    # Met stays met after the due date.
    assert status("80", due_on=TODAY - timedelta(days=1), **short) == IndicatorStatus.MET


def test_at_risk_within_the_last_days_before_the_due_date_only():
    short = {"target_min": "80", "target_max": "80"}
    near = TODAY + timedelta(days=AT_RISK_DAYS)
    assert status("70", due_on=near, **short) == IndicatorStatus.AT_RISK
    assert status("70", due_on=near + timedelta(days=1), **short) == IndicatorStatus.IN_PROGRESS
    # No confirmed value yet counts as short.
    assert status(None, due_on=near, **short) == IndicatorStatus.AT_RISK
    assert status(None, due_on=TODAY - timedelta(days=1), **short) == IndicatorStatus.MISSED


def test_without_a_due_date_a_target_is_never_missed():
    assert status("1", target_min="80", target_max="80") == IndicatorStatus.IN_PROGRESS
    assert not target_reached(None, target_min=Decimal(1), target_max=None, direction=HIGHER)
    assert target_reached(Decimal(1), target_min=None, target_max=Decimal(1), direction=HIGHER)


# The services --------------------------------------------------------------------------------


def fingerprint():
    return (
        AuditEvent.objects.count(),
        tuple(Indicator.objects.order_by("pk").values_list("name", "target_min", "agency_id")),
        tuple(Measurement.objects.order_by("pk").values_list("value", "confirmed_at")),
    )


def test_the_office_sets_a_target_and_an_agency_officer_cannot(item, people, small_tree):
    before = fingerprint()
    with pytest.raises(Forbidden):
        indicator_create(actor=people["officer"], item=item, name="Chỉ tiêu", target_min=Decimal(1))
    assert fingerprint() == before
    made = indicator_create(
        actor=people["leader"],
        item=item,
        name="Chỉ số PAR Index",
        unit="bậc",
        target_min=Decimal(5),
        target_max=Decimal(10),
        target_year=2026,
        agency=small_tree["NV"],
    )
    event = AuditEvent.objects.filter(verb="indicator.create", object_id=str(made.pk)).get()
    assert event.actor == people["leader"]
    assert event.after["target_max"] == "10"


def test_a_target_needs_a_value_and_an_ordered_range(item, people):
    before = fingerprint()
    with pytest.raises(InvalidInput):
        indicator_create(actor=people["reviewer"], item=item, name="Không có mục tiêu")
    with pytest.raises(InvalidInput):
        indicator_create(
            actor=people["reviewer"],
            item=item,
            name="Khoảng ngược",
            target_min=Decimal(10),
            target_max=Decimal(5),
        )
    assert fingerprint() == before


def test_the_office_corrects_a_target_and_the_head_cannot(indicator, people):
    before = fingerprint()
    with pytest.raises(Forbidden):
        indicator_update(actor=people["head"], indicator=indicator, target_min=Decimal(50))
    with pytest.raises(InvalidInput):
        indicator_update(actor=people["reviewer"], indicator=indicator, colour="red")
    assert fingerprint() == before
    indicator_update(
        actor=people["reviewer"],
        indicator=indicator,
        target_min=Decimal(90),
        target_max=Decimal(100),
    )
    indicator.refresh_from_db()
    assert (indicator.target_min, indicator.target_max) == (Decimal(90), Decimal(100))
    event = AuditEvent.objects.get(verb="indicator.update")
    assert event.before["target_min"] == "95" and event.after["target_min"] == "90"


def test_the_reporting_agency_reports_and_another_agency_cannot(indicator, people):
    before = fingerprint()
    for outsider in ("other_head", "other_officer", "clerk", "reviewer"):
        with pytest.raises(Forbidden):
            measurement_report(
                actor=people[outsider],
                indicator=indicator,
                period=Period.YEARLY,
                year=2025,
                value=Decimal(90),
            )
    assert fingerprint() == before
    measurement = measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.HALF_YEARLY,
        year=2025,
        number=2,
        value=Decimal("96.5"),
        evidence_note="Báo cáo số 12/BC-STC.",
    )
    assert measurement.agency == indicator.agency
    assert measurement.period_end == date(2025, 12, 31)
    assert AuditEvent.objects.filter(verb="measurement.report").count() == 1


def test_a_value_is_refused_for_a_bad_or_already_reported_period(indicator, people):
    report = {"actor": people["head"], "indicator": indicator, "value": Decimal(1)}
    measurement_report(**report, period=Period.QUARTERLY, year=2025, number=4)
    before = fingerprint()
    with pytest.raises(DomainError) as exc:
        measurement_report(**report, period=Period.QUARTERLY, year=2025, number=4)
    assert exc.value.code == "period_reported"
    with pytest.raises(InvalidInput) as exc:
        measurement_report(**report, period=Period.QUARTERLY, year=2025, number=5)
    assert exc.value.code == "bad_period_number"
    with pytest.raises(InvalidInput):
        measurement_report(**report, period="weekly", year=2025)
    with pytest.raises(InvalidInput) as exc:
        measurement_report(**report, period=Period.YEARLY, year=1999)
    assert exc.value.code == "bad_year"
    assert fingerprint() == before


def test_the_office_confirms_a_value_once_and_the_head_cannot(indicator, people):
    measurement = measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=2025,
        value=Decimal(96),
    )
    before = fingerprint()
    with pytest.raises(Forbidden):
        measurement_confirm(actor=people["head"], measurement=measurement)
    with pytest.raises(NotFound):
        measurement_confirm(actor=people["other_officer"], measurement=measurement)
    assert fingerprint() == before
    row = selectors.indicator_get(user=people["reviewer"], pk=indicator.pk)
    assert row.latest_value is None  # a value counts once confirmed
    measurement_confirm(actor=people["reviewer"], measurement=measurement, at=vn(2026, 2, 1))
    with pytest.raises(AlreadyHandled):
        measurement_confirm(actor=people["reviewer"], measurement=measurement)
    row = selectors.indicator_get(user=people["reviewer"], pk=indicator.pk)
    assert row.latest_value == Decimal(96) and row.status == IndicatorStatus.MET
    assert AuditEvent.objects.filter(verb="measurement.confirm").count() == 1


def test_the_latest_confirmed_period_decides_the_status(indicator, people):
    for year, value in ((2024, 97), (2025, 80)):
        m = measurement_report(
            actor=people["officer"],
            indicator=indicator,
            period=Period.YEARLY,
            year=year,
            value=Decimal(value),
        )
        measurement_confirm(actor=people["reviewer"], measurement=m)
    row = selectors.indicator_get(user=people["reviewer"], pk=indicator.pk)
    assert row.latest_value == Decimal(80)
    assert row.status != IndicatorStatus.MET


# Who sees what ------------------------------------------------------------------------------


def test_measurements_are_seen_by_the_office_and_the_reporting_agency(indicator, people):
    measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=2025,
        value=Decimal(96),
    )
    for who in ("reviewer", "leader", "head", "officer", "clerk"):
        assert selectors.measurement_list(user=people[who]).count() == 1, who
    for who in ("other_head", "other_officer"):
        assert selectors.measurement_list(user=people[who]).count() == 0, who
        # The indicator itself is seen as its item is.
        assert selectors.indicator_list(user=people[who]).count() == 1, who


# Constant query counts ---------------------------------------------------------------------


def _many(item, people, small_tree, n):
    for k in range(n):
        made = indicator_create(
            actor=people["reviewer"],
            item=item,
            name=f"Chỉ tiêu {k}",
            target_min=Decimal(k),
            agency=small_tree["TC"],
        )
        m = measurement_report(
            actor=people["officer"],
            indicator=made,
            period=Period.YEARLY,
            year=2025,
            value=Decimal(k),
        )
        measurement_confirm(actor=people["reviewer"], measurement=m)


@pytest.mark.parametrize("n", [1, 12])
def test_the_list_of_indicators_costs_the_same_for_one_or_many(
    n, item, people, small_tree, django_assert_max_num_queries
):
    _many(item, people, small_tree, n)
    with django_assert_max_num_queries(3):
        rows = selectors.indicators_with_status(
            list(
                selectors.indicator_list(user=people["officer"], item=item, with_measurements=True)
            )
        )
        assert len(rows) == n
        assert all(len(r.visible_measurements) == 1 for r in rows)
    with django_assert_max_num_queries(1):
        assert len(list(selectors.measurement_list(user=people["officer"]))) == n


# Correcting a reported value (điều chỉnh số liệu) ---------------------------------------------


def _reported(indicator, people, value=90):
    return measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=2025,
        value=Decimal(value),
    )


def test_the_agency_corrects_its_value_before_confirmation_and_another_agency_cannot(
    indicator, people
):
    measurement = _reported(indicator, people)
    before = fingerprint()
    with pytest.raises(NotFound):
        measurement_correct(
            actor=people["other_head"], measurement=measurement, value=Decimal(91), note="Sai."
        )
    with pytest.raises(Forbidden):  # the clerk sees the value but does not report it
        measurement_correct(
            actor=people["clerk"], measurement=measurement, value=Decimal(91), note="Sai."
        )
    assert fingerprint() == before
    measurement_correct(
        actor=people["head"],
        measurement=measurement,
        value=Decimal("91.5"),
        note="Nhập nhầm số liệu.",
        at=vn(2026, 1, 10),
    )
    measurement.refresh_from_db()
    assert measurement.value == Decimal("91.5") and measurement.confirmed_at is None
    assert measurement.corrected_by == people["head"]
    event = AuditEvent.objects.get(verb="measurement.correct")
    assert event.actor == people["head"] and event.note == "Nhập nhầm số liệu."
    assert event.before["value"] == "90" and event.after["value"] == "91.5"
    assert event.before["confirmed"] is False and event.after["confirmed"] is False


def test_once_confirmed_only_the_office_corrects_and_the_value_stays_confirmed_by_it(
    indicator, people
):
    measurement = _reported(indicator, people)
    measurement_confirm(actor=people["reviewer"], measurement=measurement, at=vn(2026, 2, 1))
    before = fingerprint()
    for agency_person in ("head", "officer"):
        with pytest.raises(Forbidden):
            measurement_correct(
                actor=people[agency_person],
                measurement=measurement,
                value=Decimal(80),
                note="Sai.",
            )
    with pytest.raises(Forbidden):  # the leader sees the value; reviewers correct it
        measurement_correct(
            actor=people["leader"], measurement=measurement, value=Decimal(80), note="Sai."
        )
    assert fingerprint() == before
    corrected = measurement_correct(
        actor=people["reviewer"],
        measurement=measurement,
        value=Decimal(88),
        note="Theo báo cáo kiểm tra của Sở Nội vụ.",
        at=vn(2026, 3, 2),
    )
    assert corrected.confirmed_by == people["reviewer"]
    assert corrected.confirmed_at == vn(2026, 3, 2)
    row = selectors.indicator_get(user=people["reviewer"], pk=indicator.pk)
    assert row.latest_value == Decimal(88)  # the corrected value counts
    event = AuditEvent.objects.get(verb="measurement.correct")
    assert (event.before["value"], event.after["value"]) == ("90", "88")
    assert event.before["confirmed"] is True and event.after["confirmed"] is True


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"note": "  "}, "reason_required"),
        ({"note": ""}, "reason_required"),
        ({"value": None}, "value_required"),
        ({"value": Decimal(90)}, "value_unchanged"),
    ],
)
def test_an_incomplete_correction_changes_nothing(indicator, people, change, code):
    measurement = _reported(indicator, people)
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        measurement_correct(
            actor=people["reviewer"],
            measurement=measurement,
            **{"value": Decimal(95), "note": "Lý do.", **change},
        )
    assert exc.value.code == code
    assert fingerprint() == before


# Evidence files of a value (tài liệu kiểm chứng) ---------------------------------------------


def png(name="minh-chung.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_a_value_is_reported_with_evidence_files_stored_under_a_random_name(
    indicator, people, memory_storage
):
    measurement = measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=2025,
        value=Decimal(96),
        evidence_note="Báo cáo số 12/BC-STC.",
        files=[png("Báo cáo giải ngân.png")],
    )
    (row,) = measurement.evidence_files.all()
    assert row.original_name == "Báo cáo giải ngân.png" and row.content_type == "image/png"
    assert row.file.name.startswith("targets/") and "giai" not in row.file.name.lower()
    assert row.file.name.endswith(".png") and len(row.file.name.rsplit("/", 1)[1]) == 36
    event = AuditEvent.objects.get(verb="measurement.report")
    assert event.after["files"] == ["Báo cáo giải ngân.png"]
    # Seen by whoever sees the value, and by nobody else.
    for who in ("reviewer", "leader", "head", "officer", "clerk"):
        assert targets_selectors.measurement_evidence_get(user=people[who], pk=row.pk) == row, who
    for who in ("other_head", "other_officer"):
        with pytest.raises(MeasurementEvidence.DoesNotExist):
            targets_selectors.measurement_evidence_get(user=people[who], pk=row.pk)


def test_a_file_not_accepted_refuses_the_whole_report(indicator, people, memory_storage):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = fingerprint()
    fake = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(InvalidInput) as exc:
        measurement_report(
            actor=people["officer"],
            indicator=indicator,
            period=Period.YEARLY,
            year=2025,
            value=Decimal(96),
            files=[png(), fake],
        )
    assert exc.value.code == "file_type"
    assert fingerprint() == before and not MeasurementEvidence.objects.exists()
    _dirs, files = default_storage.listdir("")
    assert not files and "targets" not in _dirs


def test_a_correction_may_bring_new_evidence(indicator, people, memory_storage):
    measurement = _reported(indicator, people)
    measurement_correct(
        actor=people["officer"],
        measurement=measurement,
        value=Decimal(92),
        note="Bổ sung số liệu quý IV.",
        files=[png("bo-sung.png")],
    )
    assert [f.original_name for f in measurement.evidence_files.all()] == ["bo-sung.png"]


def test_the_orphan_sweep_removes_a_reported_values_lost_files_and_keeps_its_evidence(
    indicator, people, settings, tmp_path
):
    """A value's evidence lives in its own folder: a file there that no evidence row names
    (its request killed before the commit) goes once old; the value's own file stays."""
    import os
    import time
    from io import StringIO

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    measurement = measurement_report(
        actor=people["officer"],
        indicator=indicator,
        period=Period.YEARLY,
        year=2025,
        value=Decimal(96),
        files=[png()],
    )
    kept = settings.MEDIA_ROOT / measurement.evidence_files.get().file.name
    lost = settings.MEDIA_ROOT / "targets" / "2025" / "11" / ("d" * 32 + ".png")
    lost.parent.mkdir(parents=True)
    lost.write_bytes(b"\x89PNG left by a killed request")
    old = time.time() - 48 * 3600
    for path in (kept, lost):
        os.utime(path, (old, old))
    out = StringIO()
    call_command("evidence_orphans_sweep", "--older-than-hours", "24", stdout=out)
    assert f"removed targets/2025/11/{'d' * 32}.png" in out.getvalue()
    assert not lost.exists() and not lost.parent.exists()
    assert kept.exists() and MeasurementEvidence.objects.count() == 1
