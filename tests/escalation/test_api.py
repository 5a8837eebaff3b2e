"""The escalation API is scoped like the assignments it is about (tests/generic)."""

from tests.escalation.scoped import EscalationsInTwoAgencies
from tests.generic.api import ScopedAPITests


class TestEscalationAPIIsScoped(EscalationsInTwoAgencies, ScopedAPITests):
    api_list_url = "/api/v1/escalations/"
