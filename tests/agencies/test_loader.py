from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
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
