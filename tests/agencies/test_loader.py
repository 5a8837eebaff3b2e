import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agencies.datafile import DataFileError
from agencies.models import Agency, AgencyAlias, AgencyVersion, Succession
from agencies.services import agencies_load
from core.models import AuditEvent
from tests.conftest import REFERENCE


@pytest.fixture(autouse=True)
def english():
    """The loader speaks the operator's language; these tests read its English messages."""
    with translation.override("en"):
        yield


SMALL = (Path(__file__).parent / "data" / "small.yaml").read_text(encoding="utf-8")


def counts():
    return (
        Agency.objects.count(),
        AgencyVersion.objects.count(),
        AgencyAlias.objects.count(),
        Succession.objects.count(),
    )


def test_loading_twice_changes_nothing(db):
    first = agencies_load(actor=None, text=SMALL)
    assert first.created == {"agency": 13, "version": 15, "alias": 7, "succession": 9}
    before, events = counts(), AuditEvent.objects.count()
    second = agencies_load(actor=None, text=SMALL)
    assert second.created == {} and second.updated == {}
    assert counts() == before
    assert AuditEvent.objects.count() == events


def test_a_corrected_row_updates_in_place(db):
    agencies_load(actor=None, text=SMALL)
    fixed = SMALL.replace("name: Sở Nội vụ,", "name: Sở Nội vụ tỉnh Thử,")
    report = agencies_load(actor=None, text=fixed)
    assert report.updated == {"version": 2}
    assert AgencyVersion.objects.filter(name="Sở Nội vụ tỉnh Thử").count() == 2


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("broken", "needle", "message"),
    [
        ("kind: district, parent: P}", "kind: county, parent: P}", "county"),
        ("parent: H4}", "parent: NOPE}", "NOPE"),
        (
            "valid_until: 2023-01-01, name: Ủy ban nhân dân huyện Một",
            "valid_until: 1999-01-01, name: Ủy ban nhân dân huyện Một",
            "after",
        ),
    ],
)
def test_a_bad_row_names_its_line_and_changes_nothing(db, broken, needle, message):
    agencies_load(actor=None, text=SMALL)
    before = counts()
    text = SMALL.replace(broken, needle, 1).replace(
        "name: Sở Tài chính,", "name: Sở Tài chính mới,"
    )
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == line_of(text, needle)
    assert message in error.value.message
    assert counts() == before
    assert not AgencyVersion.objects.filter(name="Sở Tài chính mới").exists()


def test_a_parent_that_does_not_cover_the_child_is_refused(db):
    text = SMALL.replace(
        "{valid_from: 2025-07-01, valid_until: null, name: Ủy ban nhân dân phường Mới, kind: commune, parent: P2}",
        "{valid_from: 2025-07-01, valid_until: null, name: Ủy ban nhân dân phường Mới, kind: commune, parent: H4}",
    )
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert "H4" in error.value.message
    assert error.value.line == line_of(text, "phường Mới")
    assert Agency.objects.count() == 0


def test_an_alias_that_would_match_two_agencies_is_refused(db):
    text = SMALL.replace("aliases: [Sở TC]", "aliases: [Sở TC, Sở NV]")
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert "Sở NV" in error.value.message and "NV" in error.value.message
    assert Agency.objects.count() == 0


def test_an_alias_equal_to_another_agencys_name_is_refused(db):
    text = SMALL.replace("aliases: [Sở TC]", "aliases: [so noi vu]")
    with pytest.raises(DataFileError, match="NV"):
        agencies_load(actor=None, text=text)


def test_overlapping_versions_are_refused(db):
    text = SMALL.replace(
        "{valid_from: 2025-07-01, valid_until: null, name: Sở Tài chính, kind: department, parent: P2}",
        "{valid_from: 2025-06-01, valid_until: null, name: Sở Tài chính, kind: department, parent: P2}",
    )
    with pytest.raises(DataFileError, match="overlaps"):
        agencies_load(actor=None, text=text)


@pytest.mark.parametrize("text", ["", "agencies: 3", "agencies:\n  - code: X\n", "[unclosed"])
def test_malformed_files_are_refused_with_a_message(db, text):
    with pytest.raises(DataFileError):
        agencies_load(actor=None, text=text)
    assert Agency.objects.count() == 0


def test_the_command_reports_the_line_and_exits_non_zero(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("kind: mass_org", "kind: club"), encoding="utf-8")
    with (
        translation.override("vi"),
        pytest.raises(
            CommandError, match=r"dòng \d+: “club” không phải là kind hợp lệ.*không thay đổi gì"
        ),
    ):
        call_command("load_agencies", str(path))
    assert Agency.objects.count() == 0


def test_reference_data_loads_twice_without_change(db):
    text = REFERENCE.read_text(encoding="utf-8")
    first = agencies_load(actor=None, text=text)
    assert first.created["agency"] >= 60
    second = agencies_load(actor=None, text=text)
    assert second.created == {} and second.updated == {}


# ---- Fast and strict: a handful of queries whatever the file's size; refusals name the line


def test_the_reference_file_loads_in_a_handful_of_queries_and_reloads_without_a_write(
    db, django_assert_max_num_queries
):
    text = REFERENCE.read_text(encoding="utf-8")
    with django_assert_max_num_queries(25):
        agencies_load(actor=None, text=text)
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as second:
        report = agencies_load(actor=None, text=text)
    assert report.created == {} and report.updated == {}
    assert len(second.captured_queries) <= 10
    writes = [q["sql"] for q in second.captured_queries if q["sql"].split()[0] in WRITES]
    assert writes == []
    assert AuditEvent.objects.count() == events


WRITES = {"INSERT", "UPDATE", "DELETE"}


def test_the_reference_file_loads_in_under_five_seconds(db):
    text = REFERENCE.read_text(encoding="utf-8")
    started = time.perf_counter()
    agencies_load(actor=None, text=text)
    assert time.perf_counter() - started < 5


def test_every_row_written_has_its_audit_line(db):
    report = agencies_load(actor=None, text=SMALL)
    assert AuditEvent.objects.filter(verb="version.load").count() == report.created["version"]
    assert AuditEvent.objects.filter(verb="succession.load").count() == 9
    line = AuditEvent.objects.filter(verb="version.load", object_repr="Sở Nội vụ").first()
    assert line is not None and line.after["agency"] == "NV"


def test_successions_that_form_a_cycle_are_refused_with_the_line(db):
    cycle = (
        "  - {from: TC, to: KHDT, kind: transfer_function, effective_on: 2025-08-01, "
        "function: đầu tư công, source: test}\n"
    )
    text = SMALL + cycle
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == len(text.splitlines())
    assert "cycle" in error.value.message
    assert "KHDT → TC → KHDT" in error.value.message
    assert Agency.objects.count() == 0


def test_an_agency_that_would_succeed_itself_is_refused(db):
    text = SMALL + "  - {from: TC, to: TC, kind: rename, effective_on: 2025-08-01, source: t}\n"
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == len(text.splitlines())
    assert Agency.objects.count() == 0


def test_overlapping_versions_name_both_lines(db):
    needle = "{valid_from: 2025-06-01, valid_until: null, name: Sở Tài chính, kind: department"
    text = SMALL.replace(
        "{valid_from: 2025-07-01, valid_until: null, name: Sở Tài chính, kind: department", needle
    )
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == line_of(text, needle)
    assert f"line {line_of(text, needle) - 1}" in error.value.message
    assert Agency.objects.count() == 0


def test_a_version_overlapping_one_already_loaded_is_refused(db):
    agencies_load(actor=None, text=SMALL)
    needle = "{valid_from: 2024-01-01, valid_until: null, name: Sở Tài chính, kind: department"
    text = SMALL.replace(
        "{valid_from: 2025-07-01, valid_until: null, name: Sở Tài chính, kind: department", needle
    ).replace(
        "valid_until: 2025-07-01, name: Sở Tài chính,",
        "valid_until: 2024-01-01, name: Sở Tài chính,",
    )
    with pytest.raises(DataFileError) as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == line_of(text, needle)
    assert "already in the database" in error.value.message


def test_a_repeated_succession_is_refused_with_its_line(db):
    last = SMALL.rstrip("\n").splitlines()[-1]
    text = SMALL + last + "\n"
    with pytest.raises(DataFileError, match="repeats") as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == len(text.splitlines())


UNITS = """
units:
  - valid_from: 2020-01-01
    valid_until: 2025-07-01
    kind: commune
    verified: true
    source: "NQ 1/2019"
    name: "Ủy ban nhân dân {unit}, {place}"
    short_name: "UBND {unit} ({place})"
    rows:
      - {code: X-A, parent: H4, unit: xã An, place: huyện Bốn}
      - {code: X-B, parent: H4, unit: xã Bình, place: huyện Bốn, aliases: [xã Bình cũ], note: "tên đọc trong NQ 2"}
      - {code: X-C, parent: P2, unit: phường Cũ, valid_from: 2025-07-01, valid_until: null}
"""


def test_a_compact_table_of_units_loads_one_agency_per_row(db):
    text = SMALL.replace("successions:", UNITS.strip("\n") + "\nsuccessions:", 1)
    report = agencies_load(actor=None, text=text)
    assert report.created["agency"] == 16
    b = AgencyVersion.objects.get(agency__code="X-B")
    assert (b.name, b.short_name, b.parent.code) == (
        "Ủy ban nhân dân xã Bình, huyện Bốn",
        "UBND xã Bình (huyện Bốn)",
        "H4",
    )
    assert b.source == "NQ 1/2019; tên đọc trong NQ 2" and b.verified
    c = AgencyVersion.objects.get(agency__code="X-C")
    assert (c.name, c.short_name, c.valid_until) == (
        "Ủy ban nhân dân phường Cũ",
        "UBND phường Cũ",
        None,
    )
    assert AgencyAlias.objects.filter(agency__code="X-B", text="xã Bình cũ").exists()
    assert agencies_load(actor=None, text=text).created == {}


def test_a_unit_row_whose_parent_did_not_exist_is_refused_with_its_line(db):
    text = SMALL.replace("successions:", UNITS.strip("\n") + "\nsuccessions:", 1).replace(
        "{code: X-A, parent: H4,", "{code: X-A, parent: H1,"
    )
    with pytest.raises(DataFileError, match="H1") as error:
        agencies_load(actor=None, text=text)
    assert error.value.line == line_of(text, "code: X-A")
