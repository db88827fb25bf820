"""Staff roles, the Django groups that carry them, and each role's model permissions."""

from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker (kaiārahi)"
    TEAM_LEAD = "team_lead", "Team lead"
    PROGRAM_OFFICER = "program_officer", "Program officer"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    AGENCY_ADMIN = "agency_admin", "Agency admin"


ROLE_GROUP_PREFIX = "role:"


def role_group_name(role: Role | str) -> str:
    """Name of the Django group that carries a role (one group per role, shared by all agencies)."""
    return f"{ROLE_GROUP_PREFIX}{Role(role).value}"


# Model-level permissions per role, as "app_label.codename". They say what a role
# may do at all; which records it may do it to is decided by object permissions
# and agency scoping in the selectors. Apps add their codenames here as they grow.
_CASEWORK = (
    "casework.add_client",
    "casework.add_whanau",
    "casework.add_case",
    "casework.add_casenote",
    "casework.add_consent",
    "casework.add_goal",
    "casework.add_networktie",
    "casework.add_networksnapshot",
    "casework.add_assessment",
)
_AID_RAISING = (
    "programs.add_enrolment",
    "programs.change_enrolment",
    "programs.add_aidrequest",
)

ROLE_MODEL_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.CASEWORKER: (*_CASEWORK, *_AID_RAISING),
    Role.TEAM_LEAD: (*_CASEWORK, *_AID_RAISING, "casework.assign_case"),
    Role.PROGRAM_OFFICER: (
        "programs.decide_aidrequest",
        "programs.add_payment",
        "programs.add_repayment",
    ),
    Role.COMPLIANCE_OFFICER: ("core.view_auditevent",),
    Role.AGENCY_ADMIN: (
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_team",
        "core.add_team",
        "core.change_team",
        "core.view_auditevent",
        "programs.add_programme",
        "programs.change_programme",
        "programs.add_budget",
        "programs.change_budget",
    ),
}
