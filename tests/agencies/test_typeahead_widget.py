"""Agency choosers render as selects the browser turns into type-ahead choosers: the data
attribute and the script's texts in the user's language, the kinds as <optgroup>s."""

from datetime import date

from django import forms
from django.utils import translation

from agencies.forms import AgencyChoiceField, AgencyDayForm, AgencyMultipleChoiceField


class Choosers(AgencyDayForm):
    agency = AgencyChoiceField(required=False)
    agencies = AgencyMultipleChoiceField(required=False)


def test_choosers_carry_the_type_ahead_attribute_and_translated_texts(small_tree):
    with translation.override("vi"):
        html = str(Choosers()["agency"]) + str(Choosers()["agencies"])
    assert html.count("data-typeahead ") == 2
    assert 'data-typeahead-empty="Không có cơ quan phù hợp."' in html
    assert 'data-typeahead-placeholder="Gõ vài chữ trong tên để tìm"' in html
    assert '<optgroup label="Sở, ban, ngành">' in html
    assert '<option value="TC">Sở Tài chính</option>' in html


def test_a_day_form_offers_only_the_agencies_of_today(small_tree):
    html = str(Choosers()["agency"])
    assert "Sở Tài chính" in html
    assert "Sở Kế hoạch và Đầu tư" not in html  # merged into Sở Tài chính on 01/03/2025


def test_a_widget_given_its_own_attributes_keeps_them(small_tree):
    class Form(forms.Form):
        agency = AgencyChoiceField(widget=forms.Select(attrs={"data-typeahead-found": "{n}"}))

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["agency"].set_day(date(2026, 1, 5))

    html = str(Form()["agency"])
    assert 'data-typeahead-found="{n}"' in html and "data-typeahead " in html
