import json

import pytest
from django.core.management import CommandError, call_command

from workflow.models import Directive

from .conftest import HERE, REFERENCE_TEXT


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_directive", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_json(reference_tree):
    out, _err = run(str(REFERENCE_TEXT), "--dry-run", "--format", "json", "--date", "2022-08-01")
    document = json.loads(out)
    assert len(document["items"]) == 15
    assert "raw" not in document
    assert not Directive.objects.exists()


def test_dry_run_table(reference_tree):
    out, _err = run(str(HERE / "texts" / "quang-tri-2023.txt"), "--dry-run")
    assert "QT-STNMT" in out
    assert "coordinating" in out
    assert not Directive.objects.exists()


def test_needs_a_date_when_the_text_has_none(reference_tree):
    with pytest.raises(CommandError):
        run(str(REFERENCE_TEXT), "--dry-run")
    with pytest.raises(CommandError):
        run(str(REFERENCE_TEXT), "--dry-run", "--date", "01/08/2022")


def test_creates_the_directive(reviewer):
    with pytest.raises(CommandError, match="--actor"):
        run(str(HERE / "texts" / "quang-tri-2025-nfd.txt"))
    assert not Directive.objects.exists()
    _out, err = run(str(HERE / "texts" / "quang-tri-2025-nfd.txt"), "--actor", "reviewer")
    directive = Directive.objects.get()
    assert directive.number == "21/CT-UBND"
    assert directive.items.count() == 5
    assert f"#{directive.pk}" in err


def test_a_binary_renamed_docx_is_refused(reference_tree, tmp_path):
    path = tmp_path / "chi-thi.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError, match="docx"):
        run(str(path), "--dry-run")
