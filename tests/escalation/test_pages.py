"""The office's escalation page and API."""

from django.urls import reverse

from escalation.choices import EscalationResolution, LevelKind
from escalation.models import Escalation
from escalation.sweep import sweep
from tests.fixtures.workflow import vn


def test_the_office_decides_several_at_once(client, assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    client.force_login(people["reviewer"])
    page = client.get(reverse("escalation:list"), {"open": "true"})
    assert page.status_code == 200
    assert len(page.context["escalations"]) == 3
    ids = list(Escalation.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("escalation:list"),
        {"escalations": ids, "decision": "close", "note": "Đã đôn đốc."},
    )
    assert response.status_code == 302
    assert set(Escalation.objects.values_list("resolution", flat=True)) == {
        EscalationResolution.CLOSED
    }


def test_a_head_sees_the_escalations_of_the_agency_but_cannot_decide(client, assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    client.force_login(people["head"])
    page = client.get(reverse("escalation:list"))
    assert len(page.context["escalations"]) == 3
    assert not page.context["may_decide"]
    escalation = Escalation.objects.get(level__kind=LevelKind.OFFICE)
    response = client.post(
        reverse("escalation:decide", args=[escalation.pk]), {"decision": "close"}
    )
    assert response.status_code == 403
    # Deciding several at once is refused before the form is read, valid or not.
    for data in ({"escalations": [escalation.pk], "decision": "close"}, {}):
        assert client.post(reverse("escalation:list"), data).status_code == 403
    assert Escalation.objects.get(pk=escalation.pk).resolved_at is None
    client.force_login(people["other_head"])
    assert len(client.get(reverse("escalation:list")).context["escalations"]) == 0
    assert client.get(reverse("escalation:decide", args=[escalation.pk])).status_code == 404


def test_the_api_lists_and_decides(client, assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    escalation = Escalation.objects.get(level__kind=LevelKind.OFFICE)
    client.force_login(people["officer"])
    assert client.get("/api/v1/escalations/").json()["count"] == 3
    response = client.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"decision": "close"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(people["reviewer"])
    response = client.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"decision": "extend", "due_date": "2026-07-31", "note": "Gia hạn."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["resolution"] == "extended"
    response = client.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"decision": "close"},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_timeline_and_notices_show_the_decision_to_the_agency(client, assignment, people):
    sweep(now=vn(2026, 6, 1), send_mail=False)
    escalation = Escalation.objects.get(level__kind=LevelKind.OFFICE)
    client.force_login(people["reviewer"])
    client.post(
        reverse("escalation:decide", args=[escalation.pk]),
        {"decision": "penalty", "penalty_points": "1.5", "note": "Chậm tiến độ."},
    )
    client.force_login(people["head"])
    html = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert "ghi nhận kết quả chậm, trừ" in html and "Chậm tiến độ." in html
    notices = client.get(reverse("notifications:list")).content.decode()
    assert "Báo cáo giải ngân vốn đầu tư công" in notices


def test_the_sweep_command_and_the_celery_task_run_the_same_sweep(assignment, people):
    from io import StringIO

    from django.core.management import call_command

    from config.celery import app
    from escalation.tasks import sweep_task

    out = StringIO()
    call_command("sweep", stdout=out)
    assert "sweep:" in out.getvalue()
    assert "escalation.sweep" in app.tasks
    assert app.conf.beat_schedule["deadline-sweep"]["task"] == "escalation.sweep"
    assert "escalations" in sweep_task.apply().get()
