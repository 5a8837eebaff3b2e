"""Making a directive public (công khai): the provincial office's reviewers publish a directive
with the items they choose and withdraw it; nobody else may, and a refusal changes nothing."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from core.audit import audit_trail
from core.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from core.models import AuditEvent
from workflow.choices import DirectiveKind
from workflow.models import DirectiveItem, Publication
from workflow.services import (
    directive_create,
    item_add,
    publication_publish,
    publication_withdraw,
)

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 1, 10)


def _state(directive):
    return (
        list(Publication.objects.filter(directive=directive).values_list("is_public", "revision")),
        sorted(directive.items.filter(public=True).values_list("number", flat=True)),
        AuditEvent.objects.count(),
    )


def test_a_reviewer_makes_a_directive_public_with_the_items_chosen(people, directive):
    item = directive.items.get(number="1")
    publication = publication_publish(actor=people["reviewer"], directive=directive, items=[item])
    assert publication.is_public and publication.published_by == people["reviewer"]
    assert publication.published_at is not None and publication.revision == 1
    assert list(directive.items.filter(public=True)) == [item]
    event = audit_trail(directive).filter(verb="directive.make_public").get()
    assert event.actor == people["reviewer"]
    assert event.before == {"public": False, "items": []}
    assert event.after == {"public": True, "items": ["1"]}


def test_publishing_again_replaces_the_choice_of_items(people, directive):
    one, two = directive.items.get(number="1"), directive.items.get(number="2")
    publication_publish(actor=people["reviewer"], directive=directive, items=[one])
    publication = publication_publish(actor=people["reviewer"], directive=directive, items=[two])
    assert publication.revision == 2
    assert list(directive.items.filter(public=True)) == [two]


def test_a_reviewer_withdraws_a_public_directive_and_it_keeps_its_choice(people, directive):
    item = directive.items.get(number="2")
    publication_publish(actor=people["reviewer"], directive=directive, items=[item])
    publication = publication_withdraw(actor=people["reviewer"], directive=directive)
    assert not publication.is_public and publication.withdrawn_by == people["reviewer"]
    assert publication.withdrawn_at is not None and publication.revision == 2
    assert audit_trail(directive).filter(verb="directive.withdraw_public").count() == 1
    assert list(directive.items.filter(public=True)) == [item]


@pytest.mark.parametrize(
    ("who", "error"),
    [("head", Forbidden), ("officer", Forbidden), ("leader", Forbidden), ("clerk", Forbidden)],
)
def test_nobody_but_the_office_may_make_a_directive_public(people, directive, who, error):
    before = _state(directive)
    with pytest.raises(error):
        publication_publish(actor=people[who], directive=directive, items=directive.items.all())
    assert _state(directive) == before


def test_a_signed_out_visitor_may_not_make_a_directive_public(directive):
    before = _state(directive)
    with pytest.raises(NotFound):
        publication_publish(actor=AnonymousUser(), directive=directive, items=directive.items.all())
    assert _state(directive) == before


def test_nobody_but_the_office_may_withdraw_it(people, directive):
    publication_publish(actor=people["reviewer"], directive=directive, items=directive.items.all())
    before = _state(directive)
    with pytest.raises(Forbidden):
        publication_withdraw(actor=people["head"], directive=directive)
    assert _state(directive) == before


def test_a_draft_directive_cannot_be_made_public(people, small_tree):
    draft = directive_create(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        number="09/KH-UBND",
        title="Kế hoạch chưa ban hành",
        issued_on=ISSUED,
        issuer=small_tree["P2"],
    )
    item = item_add(actor=people["reviewer"], directive=draft, number="1", text="Dự thảo.")
    before = _state(draft)
    with pytest.raises(DomainError) as refused:
        publication_publish(actor=people["reviewer"], directive=draft, items=[item])
    assert refused.value.code == "draft"
    assert _state(draft) == before
    assert not Publication.objects.filter(directive=draft).exists()


def test_at_least_one_item_of_the_directive_is_chosen(people, directive, small_tree):
    other = directive_create(
        actor=people["reviewer"],
        kind=DirectiveKind.KE_HOACH,
        title="Kế hoạch khác",
        issued_on=ISSUED,
        issuer=small_tree["P2"],
    )
    stranger = item_add(actor=people["reviewer"], directive=other, number="1", text="Khác.")
    before = _state(directive)
    with pytest.raises(InvalidInput) as none:
        publication_publish(actor=people["reviewer"], directive=directive, items=[])
    assert none.value.code == "no_public_items"
    with pytest.raises(InvalidInput) as foreign:
        publication_publish(actor=people["reviewer"], directive=directive, items=[stranger])
    assert foreign.value.code == "item_not_of_directive"
    assert _state(directive) == before


def test_withdrawing_what_is_not_public_is_refused(people, directive):
    before = _state(directive)
    with pytest.raises(DomainError) as refused:
        publication_withdraw(actor=people["reviewer"], directive=directive)
    assert refused.value.code == "not_public"
    assert _state(directive) == before


# The office's page and the API.


def test_the_office_publishes_from_the_directives_page(client, people, directive):
    client.force_login(people["reviewer"])
    url = reverse("workflow:publication", args=[directive.pk])
    page = client.get(url)
    assert page.status_code == 200
    item = directive.items.get(number="2")
    response = client.post(url, {"items": [item.pk]})
    assert response.status_code == 302
    assert list(DirectiveItem.objects.filter(public=True)) == [item]
    withdraw = reverse("workflow:publication_withdraw", args=[directive.pk])
    assert client.post(withdraw).status_code == 302
    assert not Publication.objects.get(directive=directive).is_public


def test_the_page_says_in_vietnamese_why_nothing_was_chosen(client, people, directive):
    client.force_login(people["reviewer"])
    url = reverse("workflow:publication", args=[directive.pk])
    response = client.post(url, {"items": []}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "Chọn ít nhất một nhiệm vụ để công khai." in response.content.decode()
    bad = client.post(url, {"items": ["không-phải-số"]})
    assert bad.status_code == 400


def test_a_head_cannot_open_the_publication_page(client, people, directive):
    client.force_login(people["head"])
    assert client.get(reverse("workflow:publication", args=[directive.pk])).status_code == 403


def test_the_api_publishes_and_withdraws(client, people, directive):
    client.force_login(people["reviewer"])
    item = directive.items.get(number="1")
    url = f"/api/v1/directives/{directive.pk}/public/"
    response = client.post(url, {"items": [item.pk]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["is_public"] is True and response.json()["items"] == [item.pk]
    again = client.post(url + "withdraw/", content_type="application/json")
    assert again.status_code == 200 and again.json()["is_public"] is False
    twice = client.post(url + "withdraw/", content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "not_public"


def test_the_api_refuses_a_head_and_an_empty_choice(client, people, directive):
    url = f"/api/v1/directives/{directive.pk}/public/"
    client.force_login(people["head"])
    denied = client.post(url, {"items": []}, content_type="application/json")
    assert denied.status_code == 403
    client.force_login(people["reviewer"])
    empty = client.post(url, {"items": []}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "no_public_items"
    assert not Publication.objects.filter(directive=directive).exists()
