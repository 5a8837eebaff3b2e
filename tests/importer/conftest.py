import json
from datetime import date
from pathlib import Path

import pytest

from importer.parse import parse_text

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
REFERENCE_TEXT = ROOT / "importer" / "data" / "chi-thi-quang-tri-cchc-2022.txt"


def labels(name: str) -> dict:
    return json.loads((HERE / "labels" / f"{name}.json").read_text(encoding="utf-8"))


def text(name: str) -> str:
    return (HERE / "texts" / name).read_text(encoding="utf-8")


@pytest.fixture
def reference_doc(reference_tree):
    return parse_text(REFERENCE_TEXT.read_text(encoding="utf-8"), on=date(2022, 8, 1))


def item(document: dict, number: str) -> dict:
    return next(i for i in document["items"] if i["number"] == number)


def who(entries) -> list:
    return [e["matched"] or e.get("collective") or e["text"] for e in entries]


@pytest.fixture
def reviewer(reference_tree, user_with_role):
    from agencies.choices import Role

    return user_with_role(
        Role.REVIEWER, reference_tree["QT-VPUBND"], date(2022, 1, 1), username="reviewer"
    )
