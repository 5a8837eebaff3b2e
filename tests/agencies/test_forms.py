"""Agency choosers offer the agencies of the day, by name, grouped by kind."""

from datetime import date

from django import forms

from agencies.forms import AgencyChoiceField, AgencyMultipleChoiceField


class Chooser(forms.Form):
    agency = AgencyChoiceField(required=False)
    agencies = AgencyMultipleChoiceField(required=False)

    def __init__(self, *args, on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].set_day(on)
        self.fields["agencies"].set_day(on)


def offered(form, name="agency"):
    groups = {}
    for group, options in form.fields[name].widget.choices:
        if isinstance(options, list):
            groups[str(group)] = [label for _, label in options]
    return groups


def test_only_the_agencies_of_the_day_are_offered_by_name_and_kind(small_tree):
    today = offered(Chooser(on=date(2026, 1, 5)))
    assert today["Sở, ban, ngành"] == ["Sở Nội vụ", "Sở Tài chính"]
    everything = [label for labels in today.values() for label in labels]
    assert "Sở Kế hoạch và Đầu tư" not in everything  # merged into Sở Tài chính on 1/3/2025
    assert "Ủy ban nhân dân huyện Bốn" not in everything  # the district level ended
    assert "KHDT" not in everything and "TC" not in everything  # names, never codes
    then = [label for labels in offered(Chooser(on=date(2024, 6, 3))).values() for label in labels]
    assert "Sở Kế hoạch và Đầu tư" in then and "Ủy ban nhân dân huyện Bốn" in then


def test_a_chooser_refuses_an_agency_of_another_day(small_tree):
    assert Chooser({"agency": "TC"}, on=date(2026, 1, 5)).is_valid()
    form = Chooser({"agency": "KHDT", "agencies": ["NV", "H4"]}, on=date(2026, 1, 5))
    assert not form.is_valid()
    assert set(form.errors) == {"agency", "agencies"}
