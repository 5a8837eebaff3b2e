"""The province overview's tallies (dashboards.models) are kept by the database's triggers:
after every service, every bulk write and every sweep they give the same counts as the rows
themselves — the assignments' timeliness, the open escalations — and the overview reads them
for those who see the whole province."""

from collections import Counter
from datetime import date

from django.db.models import Count, Sum

from agencies.choices import SuccessionKind
from agencies.models import Succession
from core.text import fold
from dashboards import tallies
from dashboards.models import (
    AgencyTally,
    AssignmentTally,
    AwaitingTally,
    Bucket,
    EscalationTally,
    ItemTally,
)
from dashboards.public import item_counts
from dashboards.selectors import (
    AWAITING_KINDS,
    MOST_OVERDUE,
    escalations_awaiting,
    province_overview,
    timeliness_tally,
)
from escalation.choices import LevelKind
from escalation.models import Escalation, EscalationLevel
from escalation.services import Decision, escalation_decide
from escalation.sweep import sweep
from tests.fixtures.workflow import vn
from workflow.choices import AssignmentState, DuePolicy, ExtensionStatus
from workflow.deadlines import DueRule
from workflow.models import Assignment, DirectiveItem, ExtensionRequest
from workflow.selectors import assignment_rows
from workflow.services import (
    Target,
    assignment_extend,
    assignment_receive,
    assignment_refuse,
    assignment_transfer,
    assignment_triage,
    assignments_create,
    completion_report_file,
    extension_decide,
    extension_request,
    item_add,
    report_accept,
    report_approve,
    report_return,
    report_return_office,
)

TODAY = date(2026, 6, 1)


def live(user, today=TODAY) -> dict[int, dict[str, int]]:
    """The visible assignments' timeliness counted row by row (the rule itself)."""
    tally: dict[int, dict[str, int]] = {}
    for row in (
        assignment_rows(user=user, today=today)
        .order_by()
        .values("agency_id", "timeliness")
        .annotate(n=Count("pk"))
    ):
        tally.setdefault(row["agency_id"], {})[row["timeliness"]] = row["n"]
    return tally


def open_escalations() -> int:
    return Escalation.objects.filter(
        resolved_at__isnull=True, level__kind__in=[LevelKind.OFFICE, LevelKind.LEADER]
    ).count()


def overview_by_agency(user, today=TODAY) -> dict[int, dict[str, int]]:
    """The overview's table of every agency, all its pages, by agency id."""
    page = province_overview(user=user, today=today, per_page=10**6).agencies
    return {row.agency_id: row.counts for row in page.object_list}


def escalated_by_agency(user) -> dict[int, int]:
    page = province_overview(user=user, today=TODAY, per_page=10**6).escalated
    return {row.agency_id: row.total for row in page.object_list}


def by_column(model, columns) -> Counter:
    """A tally of one row per agency, as counts by (agency, column)."""
    return Counter(
        {
            (row["agency_id"], column): row[column]
            for row in model.objects.values("agency_id", *columns)
            for column in columns
        }
    )


def check(people, today=TODAY):
    """The tallies say what the rows say, for the leader (who reads the tallies), and the
    overview's table by agency says the same, for the leader and for a head (who is counted
    from the rows)."""
    leader = people["leader"]
    assert timeliness_tally(user=leader, today=today) == live(leader, today)
    assert overview_by_agency(leader, today) == live(leader, today)
    assert overview_by_agency(people["head"], today) == live(people["head"], today)
    for user in (leader, people["head"]):
        # The ten most overdue are the table's ten with the most overdue work, by name on a tie
        # (folded, as a reader sorts).
        overview = province_overview(user=user, today=today, per_page=10**6)
        names = [r.name for r in overview.agencies.object_list]
        assert names == sorted(names, key=fold)  # the table, by name as a reader sorts
        rows = [(r.overdue, r.name) for r in overview.agencies.object_list if r.overdue]
        expected = sorted(rows, key=lambda r: (-r[0], fold(r[1])))[:MOST_OVERDUE]
        assert [(r.overdue, r.name) for r in overview.most_overdue] == expected
        approved = assignment_rows(user=user, today=today).filter(state=AssignmentState.APPROVED)
        assert overview.results_awaiting == approved.count()
    assert escalations_awaiting(user=leader) == open_escalations()
    open_by_level_and_agency = Counter(
        {
            (level, agency): n
            for level, agency, n in Escalation.objects.filter(resolved_at__isnull=True)
            .values_list("level_id", "agency_id")
            .annotate(n=Count("pk"))
        }
    )
    tallied = Counter(
        {
            (level, agency): n
            for level, agency, n in EscalationTally.objects.values_list(
                "level_id", "agency_id", "n"
            )
        }
    )
    assert +tallied == open_by_level_and_agency
    assert not EscalationTally.objects.filter(n__lt=0).exists()
    # By agency, as the overview shows them: the tally for the leader, the rows for the head.
    awaiting = Escalation.objects.filter(
        resolved_at__isnull=True, level__kind__in=[LevelKind.OFFICE, LevelKind.LEADER]
    )
    by_agency = Counter(dict(awaiting.values_list("agency_id").annotate(n=Count("pk"))))
    assert escalated_by_agency(leader) == by_agency
    head = people["head"]
    own = Counter(
        dict(
            awaiting.filter(agency__in=head.memberships.values("agency"))
            .values_list("agency_id")
            .annotate(n=Count("pk"))
        )
    )
    assert escalated_by_agency(head) == own
    assert not AssignmentTally.objects.filter(n__lt=0).exists()
    # Each agency's row holds what its dated rows hold, whatever the dates.
    dated = Counter(
        {
            (agency, bucket): n
            for agency, bucket, n in AssignmentTally.objects.values_list("agency_id", "bucket")
            .annotate(n=Sum("n"))
            .order_by()
        }
    )
    summed = by_column(AgencyTally, Bucket.values)
    assert +summed == +dated
    assert -summed == Counter()  # no negative count
    # Each agency's escalations awaiting the office or the leaders, by kind.
    awaiting_rows = Counter(
        {
            (agency, kind): n
            for agency, kind, n in awaiting.values_list("agency_id", "level__kind")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    # Each item's work by timeliness (the public page's), from the tally by item.
    leader_rows = assignment_rows(user=leader, today=today).order_by()
    by_item = Counter(
        {
            (item, timeliness): n
            for item, timeliness, n in leader_rows.values_list("item_id", "timeliness").annotate(
                n=Count("pk")
            )
        }
    )
    items = list(DirectiveItem.objects.values_list("pk", flat=True))
    assert Counter({(i, t): n for i, t, n in item_counts(items, today)}) == by_item
    assert not ItemTally.objects.filter(n__lt=0).exists()
    kept = by_column(AwaitingTally, tallies.AWAITING)
    assert +kept == awaiting_rows and -kept == Counter()


def test_a_level_given_another_kind_moves_its_escalations(directive, people, small_tree):
    make(directive, people, small_tree["TC"], 1)
    make(directive, people, small_tree["NV"], 2)
    sweep(now=vn(2026, 6, 1), send_mail=False)
    check(people)
    office = EscalationLevel.objects.filter(kind=LevelKind.OFFICE)
    assert Escalation.objects.filter(level__in=office, resolved_at__isnull=True).exists()
    # An administrator makes the office's level a mere warning, then a leader's level.
    ids = list(office.values_list("pk", flat=True))
    EscalationLevel.objects.filter(pk__in=ids).update(kind=LevelKind.WARNING)
    check(people)
    EscalationLevel.objects.filter(pk__in=ids).update(kind=LevelKind.LEADER)
    check(people)


def test_an_agency_row_has_a_column_per_bucket():
    assert tuple(Bucket.values) == tallies.BUCKETS
    assert {f.name for f in AgencyTally._meta.concrete_fields} == {"agency", *Bucket.values}
    assert tallies.AWAITING == AWAITING_KINDS


def make(directive, people, agency, n, due=date(2026, 2, 27)):
    item = item_add(actor=people["reviewer"], directive=directive, number=f"T{n}", text="…")
    return assignments_create(
        actor=people["reviewer"],
        item=item,
        targets=[Target(agency=agency)],
        due_rule=DueRule(DuePolicy.FIXED, fixed_date=due),
        title=f"Việc {n}",
        assigned_on=date(2026, 1, 5),
        at=vn(2026, 1, 5),
    )[0]


def test_the_tallies_follow_every_service(directive, people, small_tree):
    check(people)
    tc, nv = small_tree["TC"], small_tree["NV"]
    work = [make(directive, people, tc, n) for n in range(5)]
    later = make(directive, people, nv, 9, due=date(2026, 12, 31))
    check(people)

    # Received, reported, returned by the head, reported again, approved, returned by the
    # office, approved again, accepted (late: done after its due date).
    a = work[0]
    assignment_receive(actor=people["clerk"], assignment=a, assignee=people["officer"])
    check(people)
    completion_report_file(actor=people["officer"], assignment=a, text="Xong.", at=vn(2026, 3, 2))
    report_return(actor=people["head"], assignment=a, comment="Bổ sung.")
    check(people)
    completion_report_file(actor=people["officer"], assignment=a, text="Xong.", at=vn(2026, 3, 3))
    report_approve(actor=people["head"], assignment=a)
    check(people)  # approved: awaits the office's acceptance
    report_return_office(actor=people["reviewer"], assignment=a, comment="Thiếu số liệu.")
    check(people)
    completion_report_file(actor=people["officer"], assignment=a, text="Xong.", at=vn(2026, 3, 4))
    report_approve(actor=people["head"], assignment=a)
    report_accept(actor=people["reviewer"], assignment=a)
    check(people)

    # Refused, then sent back; refused again and cancelled.
    b = work[1]
    assignment_refuse(actor=people["clerk"], assignment=b, reason="Không thuộc chức năng.")
    check(people)
    assignment_triage(actor=people["reviewer"], assignment=b, decision="return")
    check(people)
    assignment_refuse(actor=people["clerk"], assignment=b, reason="Không thuộc chức năng.")
    assignment_triage(actor=people["reviewer"], assignment=b, decision="cancel")
    check(people)

    # An extension requested (pending: "extension requested" first), then approved (the due
    # date moves); a later date set by the office; a transfer to another agency.
    c = work[2]
    assignment_receive(actor=people["clerk"], assignment=c, assignee=people["officer"])
    extension = extension_request(
        actor=people["head"], assignment=c, requested_due_date=date(2026, 9, 30), reason="Chờ."
    )
    check(people)
    extension_decide(actor=people["reviewer"], extension=extension, approve=True)
    check(people)
    assignment_extend(
        actor=people["reviewer"], assignment=work[3], due_date=date(2026, 10, 30), note="Gia hạn."
    )
    check(people)
    # A transfer goes to an agency that took the work over: one of NV's functions moved to TC.
    Succession.objects.create(
        predecessor=nv,
        successor=tc,
        kind=SuccessionKind.TRANSFER_FUNCTION,
        effective_on=date(2026, 2, 1),
        function="quản lý biên chế",
    )
    assignment_transfer(actor=people["reviewer"], assignment=later, to_agency=tc, note="Sáp nhập.")
    check(people)

    # The sweep raises escalations (and opens review tasks); a decision closes some.
    sweep(now=vn(2026, 6, 1), send_mail=False)
    check(people)
    assert open_escalations() > 0
    office = Escalation.objects.filter(
        level__kind=LevelKind.OFFICE, resolved_at__isnull=True
    ).first()
    escalation_decide(
        actor=people["reviewer"], escalation=office, decision=Decision("close", note="Đóng.")
    )
    check(people)
    sweep(now=vn(2026, 6, 2), send_mail=False)
    check(people)
    # Work done after the sweep closes its levels.
    d = work[4]
    assignment_receive(actor=people["clerk"], assignment=d, assignee=people["officer"])
    completion_report_file(actor=people["officer"], assignment=d, text="Xong.")
    report_approve(actor=people["head"], assignment=d)
    report_accept(actor=people["reviewer"], assignment=d)
    check(people)
    for day in (date(2026, 1, 1), date(2026, 10, 31), date(2027, 1, 1)):
        check(people, day)


def test_bulk_writes_and_corrections_outside_the_services_are_counted(
    directive, people, small_tree
):
    a = make(directive, people, small_tree["TC"], 1)
    # A data correction in one statement, a bulk copy, a deletion: the database counts them.
    Assignment.objects.filter(pk=a.pk).update(due_date=date(2026, 8, 1))
    check(people)
    rows = [
        Assignment(
            item_id=a.item_id,
            agency_as_written_id=a.agency_id,
            agency_id=agency.pk,
            role="lead",
            title=f"Bulk {n}",
            assigned_on=date(2026, 1, 5),
            due_policy="fixed",
            due_date=date(2026, 1, 5 + n),
            state=state,
            completed_on=date(2026, 1, 20) if state == "done" else None,
        )
        for n, (agency, state) in enumerate(
            [(small_tree["TC"], "new"), (small_tree["NV"], "done"), (small_tree["NV"], "cancelled")]
        )
    ]
    made = Assignment.objects.bulk_create(rows)
    check(people)
    Assignment.objects.filter(pk__in=[m.pk for m in made]).update(state="in_progress")
    check(people)
    # Extension requests written in bulk: pending, still pending, decided, pending again.
    requests = ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            assignment=m,
            requested_by=people["head"],
            current_due_date=m.due_date,
            requested_due_date=date(2026, 9, 1),
            reason="Bổ sung hồ sơ.",
        )
        for m in [*made, a]
    )
    check(people)
    pending = ExtensionRequest.objects.filter(pk__in=[r.pk for r in requests])
    pending.update(status=ExtensionStatus.ENDORSED)
    check(people)
    pending.filter(assignment=a).update(status=ExtensionStatus.DENIED)
    check(people)
    pending.filter(assignment=a).delete()
    check(people)
    # The assignments go with their pending requests.
    Assignment.objects.filter(pk__in=[m.pk for m in made]).delete()
    check(people)


def test_only_those_who_see_everything_read_the_tallies(directive, people, small_tree):
    make(directive, people, small_tree["TC"], 1)
    make(directive, people, small_tree["NV"], 2)
    # The head of NV sees NV's work only: counted from the rows, not the province's tally.
    other = people["other_head"]
    assert timeliness_tally(user=other, today=TODAY) == live(other)
    assert list(timeliness_tally(user=other, today=TODAY)) == [small_tree["NV"].pk]
    # The leader's overview now reads nothing.
    AssignmentTally.objects.update(n=0)
    AgencyTally.objects.update(**{b: 0 for b in Bucket.values})
    assert province_overview(user=people["leader"], today=TODAY).agencies.object_list == []
    assert len(province_overview(user=other, today=TODAY).agencies.object_list) == 1


def test_the_triggers_install_again_over_themselves_and_drop_whole(directive, people, small_tree):
    from django.db import connection

    make(directive, people, small_tree["TC"], 1)
    tallies.install(connection)  # again, over the ones the migrations installed
    tallies.install(connection)
    assert tallies.installed(connection)
    check(people)
    tallies.drop(connection)
    assert not tallies.installed(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'dashboards_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert cursor.fetchall() == []  # nothing of theirs is left
    tallies.install(connection)
    check(people)
