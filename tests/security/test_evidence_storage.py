"""Evidence on disk: a random name with the detected extension, downloads named from a cleaned
label with the detected type, as an attachment, never sniffed; no file left by a failed
report; the orphan sweep for files of requests killed mid-way."""

import os
import re
import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.security.evidence_samples import PDF, PNG, docx_bytes
from workflow import evidence
from workflow.choices import AssignmentState
from workflow.models import Attachment, ProgressReport
from workflow.services import assignment_receive, completion_report_file, progress_report_file
from workflow.services import reports as report_services

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def in_progress(assignment, people, media):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    return assignment


def files_in(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("report.html", evidence.PDF, "report.pdf"),
        ("ket-qua.pdf", evidence.PDF, "ket-qua.pdf"),
        ("Báo cáo tháng 5.pdf", evidence.PDF, "Báo cáo tháng 5.pdf"),
        ("bao-cao.pdf.exe", evidence.PDF, "bao-cao_pdf.pdf"),
        ("anh.png.php", evidence.PNG, "anh_png.png"),
        ("../../../etc/passwd", evidence.PNG, "passwd.png"),
        ("C:\\Users\\An\\bao cao.docx", DOCX, "bao cao.docx"),
        ('"><script>alert(1).png', evidence.PNG, "script_alert(1).png"),
        ('"><script>alert(1)</script>.png', evidence.PNG, "script.png"),
        ("a\r\nSet-Cookie: x=1.pdf", evidence.PDF, "aSet-Cookie_ x_1.pdf"),
        ("bao-cao.php\x00.pdf", evidence.PDF, "bao-cao_php.pdf"),
        ("....", evidence.PDF, "tai-lieu.pdf"),
        ("", evidence.JPEG, "tai-lieu.jpg"),
        ("x" * 300 + ".pdf", evidence.PDF, "x" * 100 + ".pdf"),
    ],
)
def test_a_download_is_named_from_a_cleaned_label_with_the_detected_extension(
    original, content_type, expected
):
    name = evidence.download_name(original, content_type)
    assert name == expected
    assert name.count(".") == 1 and "/" not in name and "\\" not in name
    assert re.fullmatch(r"[\w\- ()]+\.(pdf|png|jpg|docx|xlsx)", name)


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf_attachment(client, in_progress, people):
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("report.html", PDF, content_type="text/html")
    url = reverse("workflow:step", args=[in_progress.pk, "report"])
    assert client.post(url, {"report-text": "Xong.", "report-files": [upload]}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "report.html"  # the label shown, nothing more
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", attachment.file.name)
    response = client.get(reverse("workflow:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_vietnamese_name_downloads_under_its_own_letters(client, in_progress, people):
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("Ảnh hiện trường.png", PNG)
    url = reverse("workflow:step", args=[in_progress.pk, "report"])
    client.post(url, {"report-text": "Xong.", "report-files": [upload]})
    attachment = Attachment.objects.get()
    response = client.get(reverse("workflow:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E1%BA%A2nh%20hi%E1%BB%87n%20tr%C6%B0%E1%BB%9Dng.png" in response["Content-Disposition"]


def test_a_hostile_label_is_shown_escaped(client, in_progress, people):
    client.force_login(people["officer"])
    upload = SimpleUploadedFile("<img src=x onerror=alert(1)>.pdf", PDF)
    url = reverse("workflow:step", args=[in_progress.pk, "report"])
    client.post(url, {"report-text": "Xong.", "report-files": [upload]})
    html = client.get(reverse("workflow:assignment", args=[in_progress.pk])).content.decode()
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_a_report_that_fails_after_its_files_were_written_leaves_no_file(
    in_progress, people, media, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(report_services, "timeline_record", broken)
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.docx", docx_bytes())]
    with pytest.raises(RuntimeError):
        completion_report_file(
            actor=people["officer"], assignment=in_progress, text="Xong.", files=files
        )
    assert files_in(media) == []
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    in_progress.refresh_from_db()
    assert in_progress.state == AssignmentState.IN_PROGRESS
    with pytest.raises(RuntimeError):
        progress_report_file(
            actor=people["officer"],
            assignment=in_progress,
            text="Một nửa.",
            files=[SimpleUploadedFile("c.png", PNG)],
        )
    assert files_in(media) == []


def test_a_refused_second_file_leaves_the_first_unwritten(in_progress, people, media):
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF + b"<script>")]
    with pytest.raises(Exception, match="b.pdf"):
        completion_report_file(
            actor=people["officer"], assignment=in_progress, text="Xong.", files=files
        )
    assert files_in(media) == []


def test_a_report_keeps_exactly_its_files(in_progress, people, media):
    report = completion_report_file(
        actor=people["officer"],
        assignment=in_progress,
        text="Xong.",
        files=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)],
    )
    names = sorted(a.file.name for a in report.attachments.all())
    assert [p.relative_to(media).as_posix() for p in files_in(media)] == names


# --- the orphan sweep ---------------------------------------------------------------------------


def orphan(media, name, hours_old, data=b"%PDF-1.4 left by a killed request"):
    path = media / "evidence" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    when = time.time() - hours_old * 3600
    os.utime(path, (when, when))
    return path


def sweep(*args):
    out = StringIO()
    call_command("evidence_orphans_sweep", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def disk(in_progress, people, media):
    """An attached file (old), two old orphans in a folder of their own, a young orphan (an
    upload in flight) and a file outside the evidence folder."""
    report = completion_report_file(
        actor=people["officer"],
        assignment=in_progress,
        text="Xong.",
        files=[SimpleUploadedFile("a.pdf", PDF)],
    )
    attached = media / report.attachments.get().file.name
    when = time.time() - 100 * 3600
    os.utime(attached, (when, when))
    return {
        "attached": attached,
        "old": [orphan(media, "2025/11/" + "a" * 32, 50), orphan(media, "2025/11/" + "b" * 32, 30)],
        "young": orphan(media, "2026/12/" + "c" * 32 + ".pdf", 0.5),
        "outside": outside(media),
    }


def outside(media):
    path = media / "other" / "keep.txt"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not evidence")
    os.utime(path, (0, 0))
    return path


def test_the_dry_run_lists_the_old_orphans_and_removes_nothing(disk, media):
    out = sweep("--dry-run", "--older-than-hours", "2")
    assert "would remove evidence/2025/11/" + "a" * 32 in out
    assert "would remove evidence/2025/11/" + "b" * 32 in out
    assert out.strip().splitlines()[-1].startswith("2 orphan files would be removed (0.0 MB)")
    assert all(p.exists() for p in [disk["attached"], *disk["old"], disk["young"]])


def test_the_sweep_removes_old_orphans_only_and_is_idempotent(
    disk, media, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        out = sweep("--older-than-hours", "2")
    assert out.count("removed evidence/") == 2
    assert out.strip().splitlines()[-1].startswith("2 orphan files removed")
    assert not any(p.exists() for p in disk["old"])
    assert not (media / "evidence" / "2025").exists()  # the emptied folders go too
    assert disk["attached"].exists() and disk["young"].exists() and disk["outside"].exists()
    again = sweep("--older-than-hours", "2")
    assert again.strip() == "0 orphan files removed (0.0 MB), older than 2 hours."
    assert Attachment.objects.count() == 1


def test_with_no_age_the_upload_in_flight_goes_too_but_never_an_attached_file(disk, media):
    out = sweep("--older-than-hours", "0")
    assert out.count("removed evidence/") == 3
    assert not disk["young"].exists() and disk["attached"].exists()


def test_a_negative_age_is_refused(media):
    with pytest.raises(CommandError):
        sweep("--older-than-hours", "-1")


def test_the_sweep_of_a_missing_folder_removes_nothing(media):
    assert sweep().strip() == "0 orphan files removed (0.0 MB), older than 24 hours."
