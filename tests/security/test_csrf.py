"""CSRF on every form (issue 11, hostile inputs): each write of the permission matrix — every
page's POST and every API write — sent by a signed-in person from another site (a browser that
carries the session cookie but no CSRF token) is refused with 403 and changes nothing."""

import pytest
from django.test import Client

from tests.security.test_permission_matrix import (
    IN_MEMORY,
    World,
    _data,
    _path,
    build_world,
    cases,
    fingerprint,
    load_matrix,
)

pytestmark = pytest.mark.slow


def _forged(client: Client, world: World, row: dict, path: str):
    data = _data(world, row.get("data", {}))
    send = getattr(client, row["method"].lower())
    files = any(not isinstance(v, str | int | list) for v in data.values())
    if path.startswith("/api/") and not files:
        return send(path, data, content_type="application/json")
    return send(path, data)


def test_every_write_without_its_csrf_token_is_refused(
    people, small_tree, directive, settings, figure
):
    settings.STORAGES = {**settings.STORAGES, **IN_MEMORY}
    world = build_world(people, small_tree, directive)
    writes = [(n, r) for n, r in cases(load_matrix()) if r["method"] != "GET"]
    assert len(writes) > 50
    wrong = []
    for name, row in writes:
        for role in ("reviewer", "head"):
            client = Client(enforce_csrf_checks=True)
            client.force_login(world.users[role])
            path = _path(world, role, row["path"], row.get("on"))
            before = fingerprint()
            response = _forged(client, world, row, path)
            if response.status_code != 403 or fingerprint() != before:
                wrong.append(f"{name} {row['method']} {path} as {role}: {response.status_code}")
    figure("writes sent without a CSRF token", len(writes) * 2, len(wrong))
    assert not wrong, "\n".join(wrong)
