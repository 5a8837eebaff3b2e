"""The type-ahead's searches (agencies:choices, workflow:directive_choices) answer through the
access layer, as the lists do, by folded words, at most 20 at a time; the choosers that use
them write only what is chosen into the page."""

from django.urls import reverse

from tests.workflow.factories import DirectiveFactory


def test_the_searches_are_for_people_signed_in(client, small_tree):
    for name in ("agencies:choices", "workflow:directive_choices"):
        assert client.get(reverse(name), {"q": "so"}).status_code == 302


def test_a_draft_directive_is_found_by_the_office_only(client, directive, people):
    draft = DirectiveFactory(
        actor=people["reviewer"], number="77/CT-UBND", title="Dự thảo", published=False
    )
    url = reverse("workflow:directive_choices")
    client.force_login(people["officer"])
    assert client.get(url, {"q": "77/ct"}).json() == {"results": [], "more": False}
    found = client.get(url, {"q": "cai cach hanh"}).json()["results"]
    assert [r["value"] for r in found] == [directive.pk]
    client.force_login(people["reviewer"])
    found = client.get(url, {"q": "77/CT"}).json()["results"]
    assert found == [{"value": draft.pk, "label": "77/CT-UBND: Dự thảo", "group": ""}]


def test_at_most_twenty_are_sent_and_the_answer_says_there_are_more(client, people):
    DirectiveFactory.create_batch(21, actor=people["reviewer"], title="Về phòng chống thiên tai")
    client.force_login(people["head"])
    answer = client.get(reverse("workflow:directive_choices"), {"q": "thien tai"}).json()
    assert len(answer["results"]) == 20 and answer["more"] is True


def test_agencies_are_found_by_any_word_of_their_names_without_diacritics(client, people):
    client.force_login(people["head"])
    url = reverse("agencies:choices")
    found = client.get(url, {"q": "UBND phuong moi"}).json()["results"]
    assert found == [{"value": "X9", "label": "Ủy ban nhân dân phường Mới", "group": "Cấp xã"}]
    on_a_past_day = client.get(url, {"q": "ubnd mot", "on": "2022-06-01"}).json()["results"]
    assert {r["value"] for r in on_a_past_day} == {"H1", "X1"}


def test_the_lists_filters_hold_only_what_is_chosen(client, directive, people):
    client.force_login(people["reviewer"])
    html = client.get(reverse("workflow:assignments")).content.decode()
    directive_select = html[
        html.index('name="directive"') : html.index("</select>", html.index('name="directive"'))
    ]
    assert directive_select.count("<option") == 1  # the blank choice
    assert 'data-typeahead-url="/directives/choices/"' in directive_select
    html = client.get(reverse("workflow:assignments"), {"directive": directive.pk}).content.decode()
    assert f'<option value="{directive.pk}" selected>05/CT-UBND: ' in html
