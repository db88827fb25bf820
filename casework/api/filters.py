"""Query-parameter filters shared by casework's list endpoints."""

import django_filters


def strict_boolean_filter(**kwargs) -> django_filters.TypedChoiceFilter:
    """A true/false filter that answers 400 for anything else."""
    # django-filter's BooleanFilter reads "perhaps" as "no filter"; a typo should be a 400.
    return django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        empty_value=None,
        **kwargs,
    )
