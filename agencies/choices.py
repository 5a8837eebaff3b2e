from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PROVINCE = "province", _("Provincial leadership")
    DEPARTMENT = "department", _("Department or board")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")
    CENTRAL = "central", _("Central agency located in the province")
    MASS_ORG = "mass_org", _("Front or mass organisation")
    PUBLIC_UNIT = "public_unit", _("Public service unit")


class SuccessionKind(models.TextChoices):
    RENAME = "rename", _("Renamed as")
    MERGE_INTO = "merge_into", _("Merged into")
    SPLIT = "split", _("Split into")
    TRANSFER_FUNCTION = "transfer_function", _("Function transferred to")
    DISSOLVE = "dissolve", _("Dissolved")


class Role(models.TextChoices):
    LEADER = "leader", _("Leader")
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    OFFICER = "officer", _("Officer")
    CLERK = "clerk", _("Clerk")
    REVIEWER = "reviewer", _("Reviewer")
    INSPECTOR = "inspector", _("Inspector")
    EMULATION_OFFICER = "emulation_officer", _("Emulation officer")


# At commune level the office says "Chủ tịch UBND" for the head and "Công chức" for the staff
# (Luật Tổ chức chính quyền địa phương 2025; Nghị định 33/2023/NĐ-CP on commune cán bộ, công chức).
COMMUNE_ROLE_LABELS = {
    Role.HEAD: _("Chairman of the commune People's Committee"),
    Role.DEPUTY: _("Vice-chairman of the commune People's Committee"),
    Role.OFFICER: _("Commune civil servant"),
}


def role_label(role: str, kind: str | None = None) -> str:
    """The name of ``role`` in an agency of ``kind``: the commune's own words where it has them."""
    if kind == AgencyKind.COMMUNE and role in COMMUNE_ROLE_LABELS:
        return str(COMMUNE_ROLE_LABELS[Role(role)])
    return str(Role(role).label)


class Collective(models.TextChoices):
    """Groups that directives address as one ("các sở, ban, ngành")."""

    DEPARTMENTS = "departments", _("Provincial departments, boards and sectors")
    DISTRICTS = "districts", _("District-level People's Committees")
    COMMUNES = "communes", _("Commune-level People's Committees")
    CENTRAL = "central", _("Central agencies located in the province")
    MASS_ORGS = "mass_orgs", _("Front and mass organisations")


COLLECTIVE_KINDS = {
    Collective.DEPARTMENTS: AgencyKind.DEPARTMENT,
    Collective.DISTRICTS: AgencyKind.DISTRICT,
    Collective.COMMUNES: AgencyKind.COMMUNE,
    Collective.CENTRAL: AgencyKind.CENTRAL,
    Collective.MASS_ORGS: AgencyKind.MASS_ORG,
}

# Roles that act for an agency's management (receive, delegate, approve).
MANAGING_ROLES = (Role.HEAD, Role.DEPUTY, Role.CLERK)

# Roles an agency head may grant and end in the head's own agency; the others reach beyond the
# agency (reviewer, leader, inspector, emulation officer) and are granted by an administrator.
DELEGABLE_ROLES = (Role.DEPUTY, Role.OFFICER, Role.CLERK)
