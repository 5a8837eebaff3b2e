"""The escalation pages are scoped like the assignments they are about (tests/generic)."""

from tests.escalation.scoped import EscalationsInTwoAgencies
from tests.generic.views import ListViewTests


class TestEscalationPagesAreScoped(EscalationsInTwoAgencies, ListViewTests):
    """The list is the office's queue, scoped like the assignments. An escalation's own page is
    its decision form, opened only by whoever may decide it (a head of the agency: 403, another
    agency: 404 — tests/security/test_probe_decision_page.py)."""

    list_url = "escalation:list"
