"""Every audit line says from where: the requester's address and the channel (web page, API,
admin site, command).

The address is REMOTE_ADDR, or the last entry of the header CLIENT_IP_HEADER names when the
site runs behind its own reverse proxy: the same rule as the sign-in lockout's (axes), so the
two agree. Outside a request (commands, the sweep, Celery) the channel is "command" and there
is no address. The bulk writer (``audit_record_from``) fills them in the same single INSERT.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Value
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from config.signin import client_ip as lockout_ip
from core.audit import audit_record, audit_record_from, origin_of_request
from core.choices import AuditChannel
from core.middleware import AuditOriginMiddleware, client_ip
from core.models import AuditEvent

API = "/api/v1"
SMALL = Path(__file__).resolve().parents[1] / "agencies" / "data" / "small.yaml"


def events_after(pk: int):
    return AuditEvent.objects.filter(pk__gt=pk).order_by("pk")


def last_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_page_post_records_the_address_and_the_web_page_channel(client, assignment, people):
    start = last_pk()
    client.force_login(people["head"])
    url = reverse("workflow:step", args=[assignment.pk, "receive"])
    response = client.post(url, {"receive-assignee": "officer"}, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 302
    events = list(events_after(start))
    assert events, "the step wrote no audit line"
    assert {(e.ip_address, e.channel) for e in events} == {("10.20.30.40", AuditChannel.PAGE)}


def test_an_api_post_records_the_address_and_the_api_channel(client, people):
    start = last_pk()
    client.force_login(people["reviewer"])
    response = client.post(
        f"{API}/directives/",
        {
            "kind": "chi_thi",
            "title": "Chỉ thị mới",
            "issued_on": "2026-01-05",
            "issuer": "P2",
            "contribution_lead_days": 3,
        },
        content_type="application/json",
        REMOTE_ADDR="2001:db8::7",
    )
    assert response.status_code == 201, response.json()
    event = events_after(start).get(verb="directive.create")
    assert (event.ip_address, event.channel) == ("2001:db8::7", AuditChannel.API)
    assert event.actor == people["reviewer"]


def test_the_bulk_path_fills_them_too_in_one_statement(client, directive, people):
    """``items/{id}/assign/`` to several agencies writes their audit lines in one INSERT …
    SELECT (``audit_record_from``); each line carries the request's origin."""
    start = last_pk()
    client.force_login(people["reviewer"])
    item = directive.items.get(number="1")
    response = client.post(
        f"{API}/items/{item.pk}/assign/",
        {
            "leads": ["TC", "NV"],
            "modality": "order",
            "title": "Triển khai",
            "assigned_on": "2026-01-05",
            "due_policy": "fixed",
            "due_date": "2026-03-31",
        },
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 201, response.json()
    created = events_after(start).filter(verb="assignment.create")
    assert created.count() == 2
    assert {(e.ip_address, e.channel) for e in created} == {("10.0.0.9", AuditChannel.API)}


@pytest.mark.parametrize("rows", [1, 5])
def test_audit_record_from_is_one_query_whatever_the_rows(rows, people, small_tree):
    queryset = Agency.objects.filter(pk__in=[a.pk for a in list(small_tree.values())[:rows]])
    start = last_pk()
    ContentType.objects.get_for_model(Agency)  # cached once per process: not the cost looked at
    with (
        origin_of_request("192.0.2.1", AuditChannel.PAGE),
        CaptureQueriesContext(connection) as queries,
    ):
        audit_record_from(queryset, actor=people["reviewer"], verb="test.bulk", obj_repr=Value("x"))
    assert len(queries) == 1
    lines = events_after(start).filter(verb="test.bulk")
    assert lines.count() == rows
    assert set(lines.values_list("ip_address", "channel")) == {("192.0.2.1", AuditChannel.PAGE)}


def test_audit_record_is_one_query_with_its_origin(people, directive):
    audit_record(actor=people["reviewer"], verb="test.warm", obj=directive)
    with (
        origin_of_request("192.0.2.2", AuditChannel.ADMIN),
        CaptureQueriesContext(connection) as queries,
    ):
        event = audit_record(actor=people["reviewer"], verb="test.one", obj=directive)
    assert len(queries) == 1
    event.refresh_from_db()
    assert (event.ip_address, event.channel) == ("192.0.2.2", AuditChannel.ADMIN)


def test_a_management_command_records_channel_command_and_no_address(db):
    start = last_pk()
    call_command("load_agencies", str(SMALL), verbosity=0)
    events = list(events_after(start))
    assert events, "loading the agencies wrote no audit line"
    assert {(e.ip_address, e.channel) for e in events} == {(None, AuditChannel.COMMAND)}


def test_outside_a_request_the_origin_is_the_command(people, directive):
    event = audit_record(actor=None, verb="test.sweep", obj=directive)
    event.refresh_from_db()
    assert (event.ip_address, event.channel) == (None, AuditChannel.COMMAND)


def request_from(remote="10.1.1.1", forwarded="", path="/"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get(path, **meta)


def test_x_forwarded_for_is_ignored_unless_the_site_is_behind_its_proxy(settings):
    settings.CLIENT_IP_HEADER = ""
    request = request_from(forwarded="203.0.113.5, 198.51.100.7")
    assert client_ip(request) == "10.1.1.1"
    assert lockout_ip(request) == "10.1.1.1"  # the lockout counts the same address


def test_behind_the_proxy_the_entry_it_added_is_taken(settings):
    """The last entry is the one the site's own proxy appended; the ones before it come from
    the client and may be forged."""
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = request_from(forwarded="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"
    assert lockout_ip(request) == "203.0.113.5"
    # A value that is no address is not stored (a 500 on PostgreSQL's inet): REMOTE_ADDR.
    assert client_ip(request_from(forwarded="<script>")) == "10.1.1.1"
    assert client_ip(request_from(remote="", forwarded="")) is None


def test_a_forged_header_reaches_the_record_only_behind_the_proxy(client, people, settings):
    client.force_login(people["reviewer"])
    body = {
        "kind": "chi_thi",
        "title": "Chỉ thị",
        "issued_on": "2026-01-05",
        "issuer": "P2",
        "contribution_lead_days": 3,
    }
    for header, expected in (("", "10.5.5.5"), ("HTTP_X_FORWARDED_FOR", "203.0.113.9")):
        settings.CLIENT_IP_HEADER = header
        start = last_pk()
        response = client.post(
            f"{API}/directives/",
            body,
            content_type="application/json",
            REMOTE_ADDR="10.5.5.5",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
        assert response.status_code == 201
        assert events_after(start).get(verb="directive.create").ip_address == expected


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/api/v1/assignments/", AuditChannel.API),
        (f"/{settings.ADMIN_URL}core/auditevent/", AuditChannel.ADMIN),
        ("/assignments/1/", AuditChannel.PAGE),
        ("/", AuditChannel.PAGE),
    ],
)
def test_the_channel_follows_the_path(path, channel):
    assert AuditOriginMiddleware(lambda r: None).channel(path) == channel


def test_the_middleware_comes_before_anything_that_writes():
    middleware = settings.MIDDLEWARE
    origin = middleware.index("core.middleware.AuditOriginMiddleware")
    assert origin < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert origin < middleware.index("axes.middleware.AxesMiddleware")


def test_the_admin_shows_the_origin_read_only(client, people, directive, django_user_model):
    with origin_of_request("192.0.2.44", AuditChannel.PAGE):
        event = audit_record(actor=people["reviewer"], verb="test.shown", obj=directive)
    admin = django_user_model.objects.create_superuser(username="quantri", password="x")
    client.force_login(admin)
    listing = client.get(reverse("admin:core_auditevent_changelist"))
    assert listing.status_code == 200
    assert "192.0.2.44" in listing.content.decode()
    page = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "192.0.2.44" in html and "Trang web" in html
    assert 'name="ip_address"' not in html and 'name="channel"' not in html  # not editable
    refused = client.post(
        reverse("admin:core_auditevent_change", args=[event.pk]),
        {"ip_address": "1.1.1.1", "channel": "api"},
    )
    assert refused.status_code == 403
    event.refresh_from_db()
    assert event.ip_address == "192.0.2.44"
