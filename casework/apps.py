"""App configuration for casework."""

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from casework.access import forget_permission_ids
        from casework.audit_redaction import (
            CLIENT_OBJECT_TYPE,
            WHANAU_MEMBER_OBJECT_TYPE,
            redact_client_events,
            redact_whanau_member_events,
        )
        from casework.selectors.work import casework_work_for
        from core.audit import register_audit_redactor
        from core.work import register_work_source

        # Permission ids are cached for the predicates; migrate and flush may renumber them.
        post_migrate.connect(forget_permission_ids, dispatch_uid="casework.forget_permission_ids")
        register_work_source("casework", casework_work_for)
        register_audit_redactor(CLIENT_OBJECT_TYPE, redact_client_events)
        register_audit_redactor(WHANAU_MEMBER_OBJECT_TYPE, redact_whanau_member_events)
