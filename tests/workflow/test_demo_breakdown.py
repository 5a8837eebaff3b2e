"""`load_demo_directive --breakdown`: a hand-authored breakdown instead of the parsed text.

Apart from tests/workflow/test_demo.py, whose tests share one loaded demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from workflow.models import Assignment, Directive

pytestmark = pytest.mark.slow


def test_a_hand_authored_breakdown_can_be_loaded_instead(reference_tree):
    call_command("load_demo", stdout=StringIO())
    call_command(
        "load_demo_directive",
        "--breakdown",
        "importer/data/reference_directive.yaml",
        stdout=StringIO(),
    )
    directive = Directive.objects.get()
    assert directive.items.count() == 15
    coordinating = Assignment.objects.filter(item__number="15", role="coordinating")
    assert set(coordinating.values_list("agency__code", flat=True)) == {"QT-VPUBND"}
