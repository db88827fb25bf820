"""Shared serializer and filter fields.

Date-time input answers 400 for dates no record of ours can hold, never 500:
a naive year-1 date-time is read as Pacific/Auckland time and overflows when
converted to UTC; very old or far-future dates are typing mistakes anyway.
"""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import serializers

EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)
OUT_OF_RANGE = "Give a date-time between 1900 and 2200."


class SafeDateTimeField(serializers.DateTimeField):
    """A DRF DateTimeField that refuses out-of-range values with a field error."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        if not EARLIEST <= parsed < LATEST:
            self.fail("out_of_range")
        return parsed

    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        "out_of_range": OUT_OF_RANGE,
    }


class SafeIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's ISO date-time filter, refusing out-of-range values with 400."""

    class field_class(django_filters.fields.IsoDateTimeField):
        def to_python(self, value):
            try:
                parsed = super().to_python(value)
            except OverflowError as exc:
                raise ValidationError(OUT_OF_RANGE, code="out_of_range") from exc
            if parsed is not None and not EARLIEST <= parsed < LATEST:
                raise ValidationError(OUT_OF_RANGE, code="out_of_range")
            return parsed


class ChoiceLabelField(serializers.CharField):
    """The human label of a model choice field (what `get_<name>_display()` gives), read-only.

    The same value as `CharField(source="get_<name>_display")`, without DRF's
    per-row `inspect.signature` check of the bound method and Django's per-call
    rebuilding of the choices dict, which together cost more than the rest of
    a list row's fields.
    """

    def __init__(self, choice_field: str, **kwargs):
        self.choice_field = choice_field
        self._labels: dict | None = None
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        if self._labels is None:
            model_field = instance._meta.get_field(self.choice_field)
            self._labels = dict(make_hashable(model_field.flatchoices))
        value = getattr(instance, self.choice_field)
        return force_str(self._labels.get(make_hashable(value), value), strings_only=True)
