"""A commune's head is "Chủ tịch UBND" and its staff "Công chức"; elsewhere the general terms."""

import pytest
from django.urls import reverse

from agencies.choices import AgencyKind, Role, role_label
from tests.agencies.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def test_the_commune_has_its_own_words():
    assert role_label(Role.HEAD, AgencyKind.COMMUNE) == "Chủ tịch UBND"
    assert role_label(Role.OFFICER, AgencyKind.COMMUNE) == "Công chức"
    assert role_label(Role.HEAD, AgencyKind.DEPARTMENT) == "Thủ trưởng cơ quan, đơn vị"
    assert role_label(Role.OFFICER, AgencyKind.DEPARTMENT) == "Chuyên viên"
    assert role_label(Role.CLERK, AgencyKind.COMMUNE) == "Văn thư"


def test_the_profile_names_the_agency_and_the_role_in_its_words(client):
    commune = AgencyFactory(code="X-CAMLO", version__name="UBND xã Cam Lộ", version__kind="commune")
    department = AgencyFactory(code="S-TC", version__name="Sở Tài chính")
    chairman = member(Role.HEAD, commune)
    officer = member(Role.OFFICER, department)
    client.force_login(chairman)
    page = client.get(reverse("profile")).content.decode()
    assert "Chủ tịch UBND" in page and "UBND xã Cam Lộ" in page and "X-CAMLO<" not in page
    client.force_login(officer)
    page = client.get(reverse("profile")).content.decode()
    assert "Chuyên viên" in page and "Sở Tài chính" in page and "Chủ tịch UBND" not in page
