"""Each person lands where their work is; the province overview names agencies and links
every number to the list behind it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.models import Escalation
from escalation.sweep import sweep
from tests.fixtures.workflow import vn


def landing(client, user):
    client.force_login(user)
    return client.get(reverse("home")).url


def test_leaders_and_the_office_land_on_the_province_overview(client, people):
    assert landing(client, people["leader"]) == reverse("dashboards:overview")
    assert landing(client, people["reviewer"]) == reverse("dashboards:overview")
    assert landing(client, people["head"]) == reverse("dashboards:agency")
    assert landing(client, people["officer"]) == reverse("workflow:inbox")


def test_the_overview_counts_by_agency_name_and_links_each_number(client, assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    client.force_login(people["leader"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:overview"))
    html = response.content.decode()
    overview = response.context["overview"]
    assert [r.name for r in overview.agencies.object_list] == ["Sở Tài chính"]
    assert overview.agencies.object_list[0].overdue == 1
    assert overview.escalations_open == 2  # the office level and the leader level
    assert "/assignments/?agency=TC&amp;timeliness=overdue" in html
    assert "/escalations/?open=true" in html
    assert ">TC<" not in html
    # The overview with its charts (the trend, the targets, the oldest overdue work; the heat
    # map has its own page).
    assert len(queries) <= 12


def test_the_overview_groups_the_late_work_awaiting_a_decision_by_agency(
    client, assignment, people
):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    client.force_login(people["leader"])
    response = client.get(reverse("dashboards:overview"))
    [row] = response.context["overview"].escalated.object_list
    assert (row.name, row.office, row.leader) == ("Sở Tài chính", 1, 1)
    link = "/escalations/?open=true&amp;agency=TC"
    assert f'<a href="{link}">Sở Tài chính</a>' in response.content.decode()
    # The link lists the agency's open escalations (of every level), and the agency's head
    # sees its own row, the other head none.
    listed = client.get(reverse("escalation:list") + "?open=true&agency=TC")
    open_ones = Escalation.objects.filter(resolved_at__isnull=True, agency=assignment.agency)
    assert listed.context["page_obj"].paginator.count == open_ones.count() >= 2
    client.force_login(people["head"])
    [own] = client.get(reverse("dashboards:overview")).context["overview"].escalated.object_list
    assert own.total == 2
    client.force_login(people["other_head"])
    overview = client.get(reverse("dashboards:overview")).context["overview"]
    assert overview.escalated.object_list == [] and overview.escalations_open == 0


def test_the_overview_shows_only_what_its_reader_may_see(client, assignment, people):
    client.force_login(people["other_head"])
    overview = client.get(reverse("dashboards:overview")).context["overview"]
    assert overview.agencies.object_list == [] and overview.results_awaiting == 0
