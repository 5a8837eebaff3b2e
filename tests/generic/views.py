"""Generic tests of a scoped model's pages (as NetBox's utilities/testing view test cases).

A model's test class subclasses ``ScopedViewTests`` (a list page and a detail page), or only
``ListViewTests`` or ``DetailViewTests``, names its pages and provides four fixtures:

- ``obj_in_a`` and ``obj_in_b``: one object in agency A and one in agency B;
- ``user_in_a``: a person of A whose role lets them see ``obj_in_a`` (and not ``obj_in_b``);
- ``more_in_a``: a callable ``make(n)`` that creates ``n`` more objects ``user_in_a`` sees;

and ``text_of(obj)``, words the page shows for the object (its title). The tests then hold for
every such page: anonymous visitors are sent to sign in; the user gets A's object (200, showing
it) and a 404 for B's; the list shows A's and not B's, paginated with a total; and the list
costs the same number of queries for one object as for several (and at most
``list_query_limit``).
"""

from django.urls import reverse

PAGE_SIZE = 50


def _sent_to_sign_in(response, path):
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={path}"


class ListViewTests:
    list_url: str = ""  # a URL name, reversed without arguments
    list_query_limit = 12

    def text_of(self, obj) -> str:
        raise NotImplementedError

    def list_path(self) -> str:
        return reverse(self.list_url)

    def get_list(self, client):
        response = client.get(self.list_path())
        assert response.status_code == 200
        return response

    def listed(self, response) -> list:
        return [obj.pk for obj in response.context["object_list"]]

    def test_list_sends_anonymous_visitors_to_sign_in(self, client, obj_in_a):
        response = client.get(self.list_path())
        _sent_to_sign_in(response, self.list_path())
        assert self.text_of(obj_in_a) not in response.content.decode()

    def test_list_shows_own_agencys_objects_and_not_others(
        self, client, obj_in_a, obj_in_b, user_in_a
    ):
        client.force_login(user_in_a)
        response = self.get_list(client)
        listed = self.listed(response)
        assert obj_in_a.pk in listed
        assert obj_in_b.pk not in listed
        html = response.content.decode()
        assert self.text_of(obj_in_a) in html
        assert self.text_of(obj_in_b) not in html

    def test_list_is_paginated_with_a_total(self, client, obj_in_a, obj_in_b, user_in_a):
        client.force_login(user_in_a)
        response = self.get_list(client)
        paginator = response.context["paginator"]
        assert paginator is not None
        assert paginator.per_page == PAGE_SIZE
        assert paginator.count == len(self.listed(response)) >= 1
        assert client.get(self.list_path(), {"page": 2}).status_code == 404

    def test_list_costs_the_same_queries_for_one_object_and_for_several(
        self, client, obj_in_a, obj_in_b, user_in_a, more_in_a, django_assert_max_num_queries
    ):
        client.force_login(user_in_a)
        self.get_list(client)  # warm the per-process caches (content types, permissions)
        with django_assert_max_num_queries(self.list_query_limit) as one:
            before = self.listed(self.get_list(client))
        more_in_a(4)
        with django_assert_max_num_queries(self.list_query_limit) as several:
            after = self.listed(self.get_list(client))
        assert len(after) >= len(before) + 4
        assert len(several) == len(one)


class DetailViewTests:
    detail_url: str = ""  # a URL name, reversed with the object's pk

    def text_of(self, obj) -> str:
        raise NotImplementedError

    def detail_path(self, obj) -> str:
        return reverse(self.detail_url, args=[obj.pk])

    def test_detail_sends_anonymous_visitors_to_sign_in(self, client, obj_in_a):
        response = client.get(self.detail_path(obj_in_a))
        _sent_to_sign_in(response, self.detail_path(obj_in_a))

    def test_user_sees_own_agencys_object(self, client, obj_in_a, user_in_a):
        client.force_login(user_in_a)
        response = client.get(self.detail_path(obj_in_a))
        assert response.status_code == 200
        assert self.text_of(obj_in_a) in response.content.decode()

    def test_other_agencys_object_is_not_found(self, client, obj_in_b, user_in_a):
        client.force_login(user_in_a)
        response = client.get(self.detail_path(obj_in_b))
        assert response.status_code == 404
        assert self.text_of(obj_in_b) not in response.content.decode()


class ScopedViewTests(ListViewTests, DetailViewTests):
    """A model with a list page and a page for each object."""
