"""Each item says what it must produce and which agency gathers its results (cơ quan đầu mối
tổng hợp, issue 12): set on the item's form and the API, shown by name on the directive and on
each assignment of the item, offered as the assignment's expected output."""

import pytest
from django.urls import reverse

from core.exceptions import InvalidInput
from core.models import AuditEvent
from workflow.models import DirectiveItem
from workflow.services import item_add, item_update

OUTPUT = "Báo cáo kết quả cải cách hành chính 6 tháng, năm"


@pytest.fixture
def item(directive, small_tree, people):
    return item_add(
        actor=people["reviewer"],
        directive=directive,
        number="15",
        text="Sở Nội vụ theo dõi, tổng hợp, báo cáo kết quả thực hiện Chỉ thị.",
        expected_output=OUTPUT,
        focal_agency=small_tree["NV"],
    )


def test_the_directive_and_the_assignment_name_the_focal_agency(client, item, people, assignment):
    client.force_login(people["reviewer"])
    page = client.get(reverse("workflow:directive", args=[item.directive_id])).content.decode()
    assert OUTPUT in page and "Sở Nội vụ" in page
    item2 = assignment.item
    item_update(
        actor=people["reviewer"],
        item=item2,
        number=item2.number,
        text=item2.text,
        focal_agency=item.focal_agency,
    )
    detail = client.get(reverse("workflow:assignment", args=[assignment.pk])).content.decode()
    assert "Sở Nội vụ" in detail and ">NV<" not in detail
    form = client.get(reverse("workflow:assign", args=[item.pk]))
    assert form.context["form"].initial["expected_output"] == OUTPUT


def test_the_item_form_sets_and_keeps_them(client, directive, people, small_tree):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("workflow:item_create", args=[directive.pk]),
        {
            "number": "9",
            "text": "Khảo sát SIPAS.",
            "expected_output": "Kết quả khảo sát",
            "focal_agency": "NV",
        },
    )
    assert response.status_code == 302
    made = DirectiveItem.objects.get(directive=directive, number="9")
    assert (made.expected_output, made.focal_agency) == ("Kết quả khảo sát", small_tree["NV"])
    edit = client.get(reverse("workflow:item_edit", args=[directive.pk, made.pk]))
    assert edit.context["form"].initial["focal_agency"] == "NV"
    client.post(
        reverse("workflow:item_edit", args=[directive.pk, made.pk]),
        {"number": "9", "text": "Khảo sát SIPAS.", "expected_output": "", "focal_agency": ""},
    )
    made.refresh_from_db()
    assert (made.expected_output, made.focal_agency) == ("", None)
    line = AuditEvent.objects.filter(verb="item.update").latest("pk")
    assert line.before["focal_agency"] == "NV" and line.after["focal_agency"] is None


def test_an_agency_that_no_longer_exists_is_refused(directive, people, small_tree):
    before = DirectiveItem.objects.count()
    with pytest.raises(InvalidInput) as refused:
        item_add(
            actor=people["reviewer"],
            directive=directive,
            number="7",
            text="Việc.",
            focal_agency=small_tree["KHDT"],
        )
    assert "focal_agency" in refused.value.details
    assert "Sở Kế hoạch và Đầu tư" in str(refused.value.message)  # named, not its code
    assert DirectiveItem.objects.count() == before


def test_the_api_takes_and_shows_them(client, directive, people):
    client.force_login(people["reviewer"])
    made = client.post(
        f"/api/v1/directives/{directive.pk}/items/",
        {"number": "8", "text": "Việc.", "expected_output": "Báo cáo", "focal_agency": "NV"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    assert made.json() | {"id": 0, "order": 0} == {
        "id": 0,
        "directive": directive.pk,
        "number": "8",
        "text": "Việc.",
        "order": 0,
        "expected_output": "Báo cáo",
        "focal_agency": "NV",
    }
    gone = client.post(
        f"/api/v1/directives/{directive.pk}/items/",
        {"number": "10", "text": "Việc.", "focal_agency": "KHDT"},
        content_type="application/json",
    )
    assert gone.status_code == 400 and "focal_agency" in gone.json()["errors"]
