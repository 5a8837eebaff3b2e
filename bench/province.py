"""The small generated province the sweep, cycle and agency benchmarks start from."""

from datetime import date

START = date(2000, 1, 1)


def province_create():
    """The province "B-P" (UBND tỉnh Bench), existing since ``START``."""
    from agencies.models import Agency, AgencyVersion

    province = Agency.objects.create(code="B-P")
    AgencyVersion.objects.create(
        agency=province,
        valid_from=START,
        name="UBND tỉnh Bench",
        name_key="ubnd tinh bench",
        kind="province",
    )
    return province


def departments_create(province, n: int) -> list:
    """``n`` departments of ``province`` ("B-00"… named "Sở Bench 0"…), existing since
    ``START``."""
    from agencies.models import Agency, AgencyVersion

    agencies = Agency.objects.bulk_create([Agency(code=f"B-{i:02d}") for i in range(n)])
    AgencyVersion.objects.bulk_create(
        [
            AgencyVersion(
                agency=a,
                valid_from=START,
                name=f"Sở Bench {i}",
                name_key=f"so bench {i}",
                kind="department",
                parent=province,
            )
            for i, a in enumerate(agencies)
        ]
    )
    return agencies
