"""Date-time input that answers 400 for dates no record of ours can hold, never 500.

A naive year-1 date-time is read as Pacific/Auckland time and overflows when
converted to UTC; very old or far-future dates are typing mistakes anyway.
"""

import datetime

import django_filters
from django.core.exceptions import ValidationError
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
