"""DRF permission classes for the programmes endpoints: may this role use the endpoint at all?"""

from rest_framework.permissions import BasePermission

from core.permissions import require_roles
from core.roles import Role


class HasModelPerm(BasePermission):
    """Allow staff whose roles carry `perm` (see core.roles.ROLE_MODEL_PERMISSIONS)."""

    perm = ""
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.has_perm(self.perm))


def require_perm(perm: str) -> type[HasModelPerm]:
    """Build a permission class that lets through holders of model permission `perm`."""
    name = "Can" + "".join(part.title() for part in perm.split(".", 1)[1].split("_"))
    return type(name, (HasModelPerm,), {"perm": perm})


CanManageProgrammes = require_perm("programs.change_programme")
CanRegisterProgrammes = require_perm("programs.add_programme")
CanSetBudgets = require_perm("programs.change_budget")
CanRaiseAid = require_perm("programs.add_aidrequest")
CanEnrol = require_perm("programs.add_enrolment")
CanEndEnrolments = require_perm("programs.change_enrolment")
CanRecordPayments = require_perm("programs.add_payment")
CanRecordRepayments = require_perm("programs.add_repayment")
IsBudgetReader = require_roles(Role.PROGRAM_OFFICER, Role.COMPLIANCE_OFFICER, Role.AGENCY_ADMIN)
