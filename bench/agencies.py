"""Benchmark of the agency registry: loading, listing, scoping and succession at scale.

    .venv/bin/python bench/agencies.py [--communes N]      (or: make bench)

Builds a synthetic province in a throw-away database (SQLite file by default, or DATABASE_URL),
then prints wall time and SQL query counts. The floor for the list is one page of the same rows
read by a plain ORM query with no scoping or annotations.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None):
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return database_url


def timed(label, fn, repeat=5):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        best = min(best, elapsed)
    print(f"  {label:<58} {best * 1000:9.1f} ms  {len(queries):4d} queries")
    return result


def build(communes: int):
    from agencies.models import Agency, AgencyVersion, Membership, User
    from bench.province import START as start
    from bench.province import province_create

    reform = date(2025, 7, 1)
    province = province_create()
    agencies = [Agency(code=f"B-D{i:03d}") for i in range(30)]
    agencies += [Agency(code=f"B-H{i:03d}") for i in range(20)]
    agencies += [Agency(code=f"B-X{i:05d}") for i in range(communes)]
    Agency.objects.bulk_create(agencies, batch_size=2000)
    ids = dict(Agency.objects.values_list("code", "pk"))
    versions = []
    for i in range(30):
        versions.append(
            AgencyVersion(
                agency_id=ids[f"B-D{i:03d}"],
                valid_from=start,
                name=f"Sở Bench {i}",
                name_key=f"so bench {i}",
                kind="department",
                parent_id=province.pk,
            )
        )
    for i in range(20):
        versions.append(
            AgencyVersion(
                agency_id=ids[f"B-H{i:03d}"],
                valid_from=start,
                valid_until=reform,
                name=f"UBND huyện {i}",
                name_key=f"ubnd huyen {i}",
                kind="district",
                parent_id=province.pk,
            )
        )
    for i in range(communes):
        parent = ids[f"B-H{i % 20:03d}"]
        code = ids[f"B-X{i:05d}"]
        versions.append(
            AgencyVersion(
                agency_id=code,
                valid_from=start,
                valid_until=reform,
                name=f"UBND xã {i}",
                name_key=f"ubnd xa {i}",
                kind="commune",
                parent_id=parent,
            )
        )
        versions.append(
            AgencyVersion(
                agency_id=code,
                valid_from=reform,
                name=f"UBND xã {i}",
                name_key=f"ubnd xa {i}",
                kind="commune",
                parent_id=province.pk,
            )
        )
    AgencyVersion.objects.bulk_create(versions, batch_size=2000)
    users = User.objects.bulk_create(
        [User(username=f"bench{i}", password="!") for i in range(communes)], batch_size=2000
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, agency_id=ids[f"B-X{i:05d}"], role="officer", valid_from=start)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    return province, users[0]


def run(n: int, database_url: str | None) -> None:
    url = setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    if database_url:
        call_command("flush", verbosity=0, interactive=False)
    print(f"\n{n} communes ({connection.vendor}):")
    province, officer = timed("build synthetic tree (bulk)", lambda: build(n), repeat=1)

    from agencies.models import Agency, AgencyVersion, Membership
    from agencies.selectors import agency_descendants, agency_list
    from agencies.services import agencies_load
    from core import access

    admin = type(officer).objects.create(username="bench-admin", is_superuser=True)
    before = date(2022, 9, 1)
    timed(
        "agency_list: first page of 50, annotated, 2022",
        lambda: list(agency_list(user=admin, on=before)[:50]),
    )
    timed(
        "floor: first page of 50 versions, plain query",
        lambda: list(AgencyVersion.objects.filter(valid_from__lte=before)[:50]),
    )
    timed(
        "agency_list: search 'xa 99' on today's tree",
        lambda: list(agency_list(user=admin, q="xa 99")[:50]),
    )
    timed(
        "agency_descendants: whole province in 2022",
        lambda: agency_descendants(agency=province, on=before),
        repeat=3,
    )
    timed(
        "restrict(Membership) for one officer",
        lambda: list(access.restrict(Membership.objects.all(), officer)),
    )
    reference = (ROOT / "agencies" / "data" / "quang_tri.yaml").read_text(encoding="utf-8")
    timed(
        "load reference file (first run)",
        lambda: agencies_load(actor=None, text=reference),
        repeat=1,
    )
    timed(
        "load reference file (again: no change)",
        lambda: agencies_load(actor=None, text=reference),
        repeat=1,
    )
    print(f"  rows: {Agency.objects.count()} agencies, {AgencyVersion.objects.count()} versions")
    connection.close()
    if not database_url:
        os.remove(url.removeprefix("sqlite:///"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if len(args.communes) == 1:
        run(args.communes[0], args.database_url)
        return
    # Django reads its settings once per process: each size runs in a process of its own.
    for n in args.communes:
        command = [sys.executable, __file__, "--communes", str(n)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
