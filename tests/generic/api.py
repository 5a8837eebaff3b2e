"""Generic tests of a scoped model's API endpoints (as NetBox's utilities/testing API cases).

A model's test class subclasses ``ScopedAPITests`` (list and retrieve), or only ``ListAPITests``
or ``DetailAPITests``, sets ``api_list_url`` ("/api/v1/assignments/") and provides the fixtures
of ``tests.generic.views``: ``obj_in_a``, ``obj_in_b``, ``user_in_a`` and ``more_in_a``. The
tests then hold for every endpoint: anonymous visitors get a 401 or 403 with the API's
{"code", "message"} body; the user retrieves A's object and gets a 404 {"code", "message"} for
B's; the list holds A's and not B's, paginated with "count"; and the list costs the same number
of queries for one object as for several (and at most ``api_query_limit``).
"""

PAGE_SIZE = 50


def _refused(response, status, code):
    assert response.status_code in status
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert body["message"].strip()


class ListAPITests:
    api_list_url: str = ""
    api_query_limit = 10

    def api_id(self, obj):
        return obj.pk

    def get_api_list(self, client) -> dict:
        response = client.get(self.api_list_url)
        assert response.status_code == 200
        return response.json()

    def test_api_list_refuses_anonymous_visitors(self, client, obj_in_a):
        _refused(client.get(self.api_list_url), {401, 403}, "not_authenticated")

    def test_api_list_holds_own_agencys_objects_and_not_others(
        self, client, obj_in_a, obj_in_b, user_in_a
    ):
        client.force_login(user_in_a)
        body = self.get_api_list(client)
        ids = [row["id"] for row in body["results"]]
        assert self.api_id(obj_in_a) in ids
        assert self.api_id(obj_in_b) not in ids

    def test_api_list_is_paginated_with_a_count(self, client, obj_in_a, obj_in_b, user_in_a):
        client.force_login(user_in_a)
        body = self.get_api_list(client)
        assert {"count", "next", "previous", "results"} <= set(body)
        assert body["count"] == len(body["results"]) >= 1
        assert body["next"] is None and body["previous"] is None
        _refused(client.get(self.api_list_url, {"page": 2}), {404}, "not_found")

    def test_api_list_costs_the_same_queries_for_one_object_and_for_several(
        self, client, obj_in_a, obj_in_b, user_in_a, more_in_a, django_assert_max_num_queries
    ):
        client.force_login(user_in_a)
        self.get_api_list(client)  # warm the per-process caches
        with django_assert_max_num_queries(self.api_query_limit) as one:
            before = self.get_api_list(client)["count"]
        more_in_a(4)
        with django_assert_max_num_queries(self.api_query_limit) as several:
            after = self.get_api_list(client)["count"]
        assert after >= before + 4
        assert len(several) == len(one)


class DetailAPITests:
    api_list_url: str = ""

    def api_id(self, obj):
        return obj.pk

    def api_detail_path(self, obj) -> str:
        return f"{self.api_list_url}{self.api_id(obj)}/"

    def test_api_detail_refuses_anonymous_visitors(self, client, obj_in_a):
        _refused(client.get(self.api_detail_path(obj_in_a)), {401, 403}, "not_authenticated")

    def test_api_user_retrieves_own_agencys_object(self, client, obj_in_a, user_in_a):
        client.force_login(user_in_a)
        response = client.get(self.api_detail_path(obj_in_a))
        assert response.status_code == 200
        assert response.json()["id"] == self.api_id(obj_in_a)

    def test_api_other_agencys_object_is_not_found(self, client, obj_in_b, user_in_a):
        client.force_login(user_in_a)
        _refused(client.get(self.api_detail_path(obj_in_b)), {404}, "not_found")


class ScopedAPITests(ListAPITests, DetailAPITests):
    """An endpoint that lists a model and retrieves each object."""
