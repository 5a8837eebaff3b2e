"""The directive edit form never saved (issue 11): its disabled issuer field answered "select a
valid choice". An edit by the office saves and is audited; the issuer is fixed, whatever the
request says; someone who may not change the directive changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from workflow.models import Directive


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def edit(client, directive, **changes):
    data = {
        "kind": directive.kind,
        "number": directive.number,
        "title": directive.title,
        "issued_on": directive.issued_on.strftime("%d/%m/%Y"),
        "issuer": directive.issuer.code,
        "signer": directive.signer,
        "full_text": directive.full_text,
        "note": directive.note,
        "contribution_lead_days": directive.contribution_lead_days,
        **changes,
    }
    return client.post(reverse("workflow:directive_edit", args=[directive.pk]), data)


def snapshot(directive):
    return Directive.objects.filter(pk=directive.pk).values().get()


def test_the_office_edits_a_directive_and_the_edit_is_audited(browser, directive, people):
    browser.force_login(people["reviewer"])
    form = browser.get(reverse("workflow:directive_edit", args=[directive.pk]))
    assert form.status_code == 200
    response = edit(
        browser, directive, title="Về nâng cao Chỉ số CCHC năm 2026", note="Đính chính."
    )
    assert response.status_code == 302, response.content.decode()
    assert response.url == reverse("workflow:directive", args=[directive.pk])
    saved = Directive.objects.get(pk=directive.pk)
    assert saved.title == "Về nâng cao Chỉ số CCHC năm 2026"
    assert saved.note == "Đính chính."
    event = AuditEvent.objects.filter(verb="directive.update", object_id=str(directive.pk)).get()
    assert event.actor == people["reviewer"]
    assert event.before["title"] == directive.title
    assert event.after["title"] == "Về nâng cao Chỉ số CCHC năm 2026"


def test_a_tampered_issuer_is_ignored(browser, directive, people, small_tree):
    browser.force_login(people["reviewer"])
    response = edit(browser, directive, issuer="NV", title="Tiêu đề mới")
    assert response.status_code == 302
    saved = Directive.objects.get(pk=directive.pk)
    assert saved.issuer == small_tree["P2"] and saved.title == "Tiêu đề mới"
    event = AuditEvent.objects.get(verb="directive.update", object_id=str(directive.pk))
    assert "issuer" not in event.after


def test_an_issuer_that_is_no_agency_is_ignored_too(browser, directive, people, small_tree):
    browser.force_login(people["reviewer"])
    assert edit(browser, directive, issuer="<script>").status_code == 302
    assert Directive.objects.get(pk=directive.pk).issuer == small_tree["P2"]


def test_an_invalid_edit_is_a_form_error_and_changes_nothing(browser, directive, people):
    browser.force_login(people["reviewer"])
    before, events = snapshot(directive), AuditEvent.objects.count()
    response = edit(browser, directive, title="", issued_on="31/02/2026")
    assert response.status_code == 400
    assert snapshot(directive) == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["head", "officer", "leader"])
def test_who_may_not_change_a_directive_changes_nothing(browser, directive, people, who):
    browser.force_login(people[who])
    before, events = snapshot(directive), AuditEvent.objects.count()
    assert edit(browser, directive, title="Sửa trái phép").status_code == 403
    assert snapshot(directive) == before and AuditEvent.objects.count() == events
