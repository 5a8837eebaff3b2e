"""The escalation pages are scoped like the assignments they are about (tests/generic)."""

from tests.escalation.scoped import EscalationsInTwoAgencies
from tests.generic.views import ScopedViewTests


class TestEscalationPagesAreScoped(EscalationsInTwoAgencies, ScopedViewTests):
    """The list is the office's queue; an escalation's own page is its decision form."""

    list_url = "escalation:list"
    detail_url = "escalation:decide"
