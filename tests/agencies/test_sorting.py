"""The agency list by kind (the default) or by name alone; never by code (not shown)."""

import pytest
from django.urls import reverse

from agencies.views import AgencyListView

pytestmark = pytest.mark.django_db


def test_the_agencies_come_by_name_on_request(client, people):
    client.force_login(people["reviewer"])
    url = reverse("agencies:list")
    by_name = client.get(url, {"sort": "name"})
    names = [a.name for a in by_name.context["agencies"]]
    assert len(names) >= 2
    assert names == sorted(names)
    by_kind = client.get(url, {"sort": "unheard-of"})
    assert by_kind.status_code == 200
    assert by_kind.context["sort"] == "kind"
    assert [a.name for a in by_kind.context["agencies"]] != names or len(set(names)) < 2
    content = by_name.content.decode()
    assert '<option value="name" selected>' in content
    assert f"{by_name.context['paginator'].count} " in content


def test_no_order_is_by_code():
    assert all("code" not in str(o) for _label, os in AgencyListView.sorts.values() for o in os)
