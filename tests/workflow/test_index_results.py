"""National index results (PAR Index, SIPAS, PAPI): the rank rule (63 provinces up to 2024,
34 from 2025), the office's entry and correction, the import of a CSV or XLSX file (all rows or
none), the pages and the API — each allowance beside its denial, bad files never a 500."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.exceptions import Forbidden, InvalidInput
from core.models import AuditEvent
from workflow import selectors
from workflow.choices import NationalIndex
from workflow.indices import provinces_ranked, rank_problems, schemes
from workflow.models import IndexComponent, IndexResult
from workflow.services import ComponentValue, index_result_save, index_results_import
from workflow.services.indices import IMPORT_MAX_BYTES

PAR, SIPAS, PAPI = NationalIndex.PAR_INDEX, NationalIndex.SIPAS, NationalIndex.PAPI

GOOD_CSV = (
    "index,year,score,rank,rank_of,source,LV1_score,LV1_max,LV6_score,LV6_max,LV6_rank\n"
    "PAR Index,2023,85.12,40,63,QĐ công bố PAR Index 2023,7.5,9,8,10,12\n"
    "SIPAS,2024,82.66,30,63,,,,,,\n"
    "PAPI,2025,44.1,12,34,,,,,,\n"
)


def upload(text: str | bytes, name: str = "ket-qua.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def save(people, index=PAR, year=2023, score="85.12", rank=40, rank_of=63, **kw):
    return index_result_save(
        actor=people["reviewer"],
        index=index,
        year=year,
        score=Decimal(score),
        rank=rank,
        rank_of=rank_of,
        **kw,
    )


def fingerprint():
    return (
        AuditEvent.objects.count(),
        tuple(IndexResult.objects.order_by("pk").values_list("index", "year", "score", "rank")),
        IndexComponent.objects.count(),
    )


# The rank rule ------------------------------------------------------------------------------


def test_results_up_to_2024_rank_63_provinces_and_from_2025_rank_34():
    assert provinces_ranked(2022) == provinces_ranked(2024) == 63
    assert provinces_ranked(2025) == provinces_ranked(2026) == 34
    assert rank_problems(year=2024, rank=63, rank_of=63) == {}
    assert rank_problems(year=2025, rank=34, rank_of=34) == {}
    assert set(rank_problems(year=2024, rank=10, rank_of=34)) == {"rank_of"}
    assert set(rank_problems(year=2025, rank=10, rank_of=63)) == {"rank_of"}
    assert set(rank_problems(year=2025, rank=35, rank_of=34)) == {"rank"}
    assert set(rank_problems(year=2024, rank=0, rank_of=63)) == {"rank"}


def test_a_rank_beyond_rank_of_is_refused_and_nothing_is_written(small_tree, people):
    before = fingerprint()
    with pytest.raises(InvalidInput):
        save(people, rank=64, rank_of=63)
    with pytest.raises(InvalidInput):
        save(people, year=2025, rank=35, rank_of=34)
    with pytest.raises(InvalidInput):
        save(people, year=2023, rank=20, rank_of=34)  # 2023's results rank 63
    with pytest.raises(InvalidInput):
        save(people, year=2025, rank=20, rank_of=63)  # 2025's rank 34
    assert fingerprint() == before


def test_the_database_refuses_a_rank_beyond_rank_of_too(small_tree, people):
    from django.db import IntegrityError, transaction

    result = save(people)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndexResult.objects.filter(pk=result.pk).update(rank=64)


# Entry and correction -----------------------------------------------------------------------


def test_the_office_enters_a_result_for_the_province_as_it_was_that_year(small_tree, people):
    old = save(people, year=2023, rank=40, rank_of=63)
    new = save(people, index=PAPI, year=2025, score="44.1", rank=12, rank_of=34)
    assert old.province == small_tree["P"]  # before the merger: the old province
    assert new.province == small_tree["P2"]  # the merged province
    event = AuditEvent.objects.get(verb="index_result.create", object_id=str(old.pk))
    assert event.actor == people["reviewer"]
    assert event.after["rank"] == 40 and event.after["rank_of"] == 63


def test_a_second_entry_corrects_the_first_and_is_audited(small_tree, people):
    first = save(people, rank=41)
    again = save(people, rank=40, source_note="Báo cáo đính chính")
    assert again.pk == first.pk and IndexResult.objects.count() == 1
    assert IndexResult.objects.get().rank == 40
    event = AuditEvent.objects.get(verb="index_result.correct")
    assert event.before["rank"] == 41 and event.after["rank"] == 40


def test_components_carry_their_advisory_agency_from_the_data(small_tree, people):
    result = save(
        people,
        components=(
            ComponentValue("LV1", Decimal("7.5"), Decimal(9)),
            ComponentValue("LV6", Decimal(8), Decimal(10), rank=12),
            ComponentValue("LV7", Decimal(6), Decimal(8)),
        ),
    )
    by_code = {c.code: c for c in result.components.all()}
    assert by_code["LV1"].agency == small_tree["NV"]  # Sở Nội vụ
    assert by_code["LV6"].agency == small_tree["TC"]  # Sở Tài chính
    assert by_code["LV7"].agency is None  # Sở TT&TT is not in this province's registry
    assert by_code["LV1"].name == schemes()[PAR].components["LV1"].name


def test_a_component_of_another_index_or_above_its_maximum_is_refused(small_tree, people):
    with pytest.raises(InvalidInput):
        save(people, components=(ComponentValue("ND1", Decimal(5), Decimal(10)),))
    with pytest.raises(InvalidInput):
        save(people, components=(ComponentValue("LV1", Decimal(10), Decimal(9)),))
    assert not IndexResult.objects.exists()


@pytest.mark.parametrize("who", ["head", "officer", "leader"])
def test_only_the_office_s_reviewers_enter_results(small_tree, people, who):
    before = fingerprint()
    with pytest.raises(Forbidden):
        index_result_save(
            actor=people[who], index=PAR, year=2023, score=Decimal(80), rank=40, rank_of=63
        )
    with pytest.raises(Forbidden):
        index_results_import(actor=people[who], file=upload(GOOD_CSV))
    assert fingerprint() == before


# The import ---------------------------------------------------------------------------------


def test_a_good_csv_is_imported_whole_and_each_row_audited(small_tree, people):
    summary = index_results_import(actor=people["reviewer"], file=upload(GOOD_CSV))
    assert [(r.index, r.year) for r in summary.created] == [
        (PAR, 2023),
        (SIPAS, 2024),
        (PAPI, 2025),
    ]
    assert summary.corrected == []
    par = IndexResult.objects.get(index=PAR)
    assert (par.rank, par.rank_of, par.score) == (40, 63, Decimal("85.12"))
    assert par.source_note == "QĐ công bố PAR Index 2023"
    assert sorted(par.components.values_list("code", "rank")) == [("LV1", None), ("LV6", 12)]
    assert IndexResult.objects.get(index=PAPI).province == small_tree["P2"]
    assert AuditEvent.objects.filter(verb="index_result.create").count() == 3
    # The same file again corrects what it imported.
    again = index_results_import(actor=people["reviewer"], file=upload(GOOD_CSV))
    assert len(again.corrected) == 3 and IndexResult.objects.count() == 3


def test_a_good_xlsx_is_imported(small_tree, people):
    data = xlsx(
        [
            ["Index", "Year", "Score", "Rank", "Rank of", "ND1_score", "ND1_max"],
            ["PAPI", 2024, 43.25, 20, 63, 5.1, 10],
            ["par_index", 2025, 86.5, 15.0, 34, None, None],
        ]
    )
    summary = index_results_import(actor=people["reviewer"], file=upload(data, "ket-qua.xlsx"))
    assert [(r.index, r.year, r.rank) for r in summary.created] == [
        (PAPI, 2024, 20),
        (PAR, 2025, 15),
    ]
    papi = IndexResult.objects.get(index=PAPI)
    assert papi.score == Decimal("43.25")
    assert list(papi.components.values_list("code", "score")) == [("ND1", Decimal("5.10"))]


def test_a_semicolon_csv_with_decimal_commas_is_read(small_tree, people):
    text = "index;year;score;rank;rank_of\nSIPAS;2024;82,66;30;63\n"
    summary = index_results_import(actor=people["reviewer"], file=upload(text))
    assert summary.created[0].score == Decimal("82.66")


def test_malformed_rows_are_named_by_their_number_and_nothing_is_imported(small_tree, people):
    text = (
        "index,year,score,rank,rank_of\n"
        "PAR Index,2023,85.12,40,63\n"  # row 2: good
        "PAR Index,2024,85.12,64,63\n"  # row 3: rank beyond 63
        "SIPAS,2025,82,20,63\n"  # row 4: 2025 ranks 34
        "PAPI,2024,abc,20,63\n"  # row 5: not a number
        "XYZ,2024,1,1,63\n"  # row 6: unknown index
        "PAR Index,2023,80,41,63\n"  # row 7: the same as row 2
        ",,,,\n"  # a blank line is skipped
        "PAPI,2024,,20,63\n"  # row 9: empty score
    )
    before = fingerprint()
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        index_results_import(actor=people["reviewer"], file=upload(text))
    assert fingerprint() == before
    assert refused.value.code == "import_invalid"
    rows = refused.value.details["rows"]
    numbers = sorted({line.split(":")[0] for line in rows})
    assert numbers == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7", "Row 9"]
    assert any(line.startswith("Row 3:") and "1 to 63" in line for line in rows)
    assert any(line.startswith("Row 4:") and "out of 34" in line for line in rows)


def test_row_errors_are_said_in_vietnamese(small_tree, people):
    text = "index,year,score,rank,rank_of\nPAR Index,2023,85,1,63\nPAR Index,2024,85,70,63\n"
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        index_results_import(actor=people["reviewer"], file=upload(text))
    assert refused.value.details["rows"][0].startswith("Dòng 3: ")
    assert not IndexResult.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("bao-cao.pdf", b"%PDF-1.4 ...", "unsupported_file"),
        ("ket-qua.txt", b"index,year\n", "unsupported_file"),
        ("ket-qua.csv", b"", "empty_file"),
        ("ket-qua.csv", b"   \n", "empty_file"),
        ("ket-qua.xlsx", b"not a workbook at all", "bad_file"),
        ("ket-qua.xlsx", b"PK\x03\x04broken zip", "bad_file"),
        (
            "ket-qua.csv",
            "index,year,score,rank,rank_of\nPAR,2023,8,1,63\n".encode("utf-16"),
            "bad_file",
        ),
        ("ket-qua.csv", b"index,year,score\nPAR,2023,80\n", "missing_columns"),
        (
            "ket-qua.csv",
            b"index,year,score,rank,rank_of,colour\nPAR,2023,80,1,63,red\n",
            "unknown_columns",
        ),
        ("ket-qua.csv", b"index,year,score,rank,rank_of\n", "empty_file"),
    ],
)
def test_bad_files_are_refused_clearly(small_tree, people, name, data, code):
    with pytest.raises(InvalidInput) as refused:
        index_results_import(actor=people["reviewer"], file=upload(data, name))
    assert refused.value.code == code
    assert refused.value.details["file"]
    assert not IndexResult.objects.exists()


def test_a_file_too_big_is_refused_with_its_limit(small_tree, people):
    data = b"index,year,score,rank,rank_of\n" + b"x" * IMPORT_MAX_BYTES
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        index_results_import(actor=people["reviewer"], file=upload(data))
    assert refused.value.code == "file_too_big"
    assert "1024 KB" in str(refused.value.message)


# Pages ----------------------------------------------------------------------------------------


def test_everyone_signed_in_sees_the_results_by_year_with_rank_out_of_63(
    client, small_tree, people
):
    save(people, year=2023, rank=40, rank_of=63)
    save(people, index=PAPI, year=2025, score="44.1", rank=12, rank_of=34)
    url = reverse("workflow:index_results")
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert "hạng 40/63" in page and "hạng 12/34" in page
    assert reverse("workflow:index_result_create") not in page  # no entry for an officer
    client.force_login(people["reviewer"])
    page = client.get(url, {"index": PAPI}).content.decode()
    assert "hạng 12/34" in page and "hạng 40/63" not in page
    assert reverse("workflow:index_import") in page


@pytest.mark.parametrize("who", ["head", "officer"])
def test_the_entry_and_import_pages_are_the_reviewer_s(client, small_tree, people, who):
    result = save(people)
    client.force_login(people[who])
    for url in (
        reverse("workflow:index_result_create"),
        reverse("workflow:index_result_edit", args=[result.pk]),
        reverse("workflow:index_import"),
    ):
        assert client.get(url).status_code == 403
    before = fingerprint()
    data = {"index": PAR, "year": 2024, "score": "80", "rank": 30, "rank_of": 63}
    assert client.post(reverse("workflow:index_result_create"), data).status_code == 403
    assert (
        client.post(reverse("workflow:index_import"), {"file": upload(GOOD_CSV)}).status_code == 403
    )
    assert fingerprint() == before


def test_the_reviewer_enters_and_corrects_on_the_page(client, small_tree, people):
    client.force_login(people["reviewer"])
    url = reverse("workflow:index_result_create")
    assert client.get(url).status_code == 200
    bad = {"index": PAR, "year": 2024, "score": "80", "rank": 30, "rank_of": 34}
    response = client.post(url, bad)
    assert response.status_code == 400 and not IndexResult.objects.exists()
    good = {**bad, "rank_of": 63}
    assert client.post(url, good).status_code == 302
    result = IndexResult.objects.get()
    edit = reverse("workflow:index_result_edit", args=[result.pk])
    # A correction keeps its index and year whatever is sent.
    response = client.post(edit, {**good, "year": 2020, "rank": 28})
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.year, result.rank) == (2024, 28)
    assert client.get(reverse("workflow:index_result_edit", args=[999999])).status_code == 404


def test_the_import_page_lists_bad_rows_and_then_a_summary(client, small_tree, people):
    client.force_login(people["reviewer"])
    url = reverse("workflow:index_import")
    page = client.get(url).content.decode()
    assert "rank_of" in page and "LV1_score" in page  # the format is on the page
    bad = "index,year,score,rank,rank_of\nPAR Index,2023,85,1,63\nPAR Index,2024,85,70,63\n"
    response = client.post(url, {"file": upload(bad)})
    assert response.status_code == 400
    assert "Dòng 3:" in response.content.decode() and not IndexResult.objects.exists()
    response = client.post(url, {"file": upload(b"%PDF", "x.pdf")})
    assert response.status_code == 400 and not IndexResult.objects.exists()
    response = client.post(url, {"file": upload(GOOD_CSV)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "hạng 40/63" in page and "hạng 12/34" in page
    assert IndexResult.objects.count() == 3


def test_the_targets_and_directives_pages_link_to_the_results(client, small_tree, people, item):
    client.force_login(people["officer"])
    link = reverse("workflow:index_results")
    assert link in client.get(reverse("workflow:item_indicators", args=[item.pk])).content.decode()
    assert link in client.get(reverse("workflow:directives")).content.decode()


# API ------------------------------------------------------------------------------------------


def test_the_api_lists_and_details_results_for_everyone_signed_in(client, small_tree, people):
    result = save(people, components=(ComponentValue("LV1", Decimal("7.5"), Decimal(9)),))
    assert client.get("/api/v1/index-results/").status_code in (401, 403)
    client.force_login(people["officer"])
    body = client.get("/api/v1/index-results/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["index"], row["year"], row["rank"], row["rank_of"]) == (PAR, 2023, 40, 63)
    assert row["province"] == "P" and row["components"][0]["agency"] == "NV"
    detail = client.get(f"/api/v1/index-results/{result.pk}/").json()
    assert detail["id"] == result.pk
    assert client.get("/api/v1/index-results/", {"index": PAPI}).json()["count"] == 0


def test_the_api_import_is_the_reviewer_s_and_refuses_bad_rows_by_number(
    client, small_tree, people
):
    url = "/api/v1/index-results/import/"
    assert client.post(url, {"file": upload(GOOD_CSV)}).status_code in (401, 403)
    for who in ("head", "officer"):
        client.force_login(people[who])
        response = client.post(url, {"file": upload(GOOD_CSV)})
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not IndexResult.objects.exists()
    client.force_login(people["reviewer"])
    bad = "index,year,score,rank,rank_of\nPAR Index,2024,85,70,63\n"
    response = client.post(url, {"file": upload(bad)})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "import_invalid"
    assert body["errors"]["rows"][0].startswith("Dòng 2:") and body["message"]
    response = client.post(url, {"file": upload(b"\x00\x01", "x.bin")})
    assert response.status_code == 400 and response.json()["errors"]["file"]
    response = client.post(url, {})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not IndexResult.objects.exists()
    response = client.post(url, {"file": upload(GOOD_CSV)})
    assert response.status_code == 201
    body = response.json()
    assert [(r["index"], r["year"]) for r in body["created"]] == [
        (PAR, 2023),
        (SIPAS, 2024),
        (PAPI, 2025),
    ]
    assert body["corrected"] == []


# Reads in constant queries -------------------------------------------------------------------


def _queries(user, fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn(user)
    return len(captured.captured_queries)


def test_the_list_reads_in_the_same_queries_for_one_result_or_many(client, small_tree, people):
    components = (
        ComponentValue("LV1", Decimal("7.5"), Decimal(9)),
        ComponentValue("LV6", Decimal(8), Decimal(10)),
    )
    save(people, year=2012, components=components)
    officer = people["officer"]

    def read(user):
        return [len(r.components.all()) for r in selectors.index_result_list(user=user)]

    one = _queries(officer, read)
    for year in range(2013, 2025):
        save(people, year=year, components=components)
    save(people, index=SIPAS, year=2025, rank=5, rank_of=34)
    many = _queries(officer, read)
    assert one == many == 2  # the results (with names), their components
    client.force_login(officer)
    url = reverse("workflow:index_results")
    client.get(url)  # the session and the memberships read once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    save(people, index=PAPI, year=2024, score="40", rank=30, rank_of=63)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few.captured_queries) == len(more.captured_queries)
