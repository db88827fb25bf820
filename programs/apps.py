"""App configuration for programs."""

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.work import register_work_source
        from programs.selectors.work import aid_work_for

        register_work_source("programs", aid_work_for)

        from programs.selectors.referrals import referral_follow_ups_for

        register_work_source("referrals", referral_follow_ups_for)

        from programs.selectors.employment import check_in_work_for, plan_review_work_for

        register_work_source("employment", check_in_work_for)
        register_work_source("employment_plans", plan_review_work_for)

        from programs import report_employment

        report_employment.register()
