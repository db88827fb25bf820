"""DRF permission classes for role checks; which records a role reaches is the selectors' job."""

from rest_framework.permissions import BasePermission

from core.roles import Role


class HasAnyRole(BasePermission):
    """Allow staff who hold at least one of `roles` (operators always)."""

    roles: tuple[Role, ...] = ()
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        held = set(user.roles)
        return any(role.value in held for role in self.roles)


def require_roles(*roles: Role) -> type[HasAnyRole]:
    """Build a permission class that lets through holders of any of `roles`."""
    names = "Or".join(role.name.title().replace("_", "") for role in roles)
    return type(f"Is{names}", (HasAnyRole,), {"roles": tuple(roles)})


IsAgencyAdmin = require_roles(Role.AGENCY_ADMIN)
IsAuditReader = require_roles(Role.COMPLIANCE_OFFICER, Role.AGENCY_ADMIN)
