"""Date input for casework records: a date outside 1900–2200 is a typing slip, answered with 400."""

import datetime

from rest_framework import serializers

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 1, 1)
DATE_OUT_OF_RANGE = "Give a date between 1900 and 2200."


class PlausibleDateField(serializers.DateField):
    """A DRF DateField refusing years no casework record can hold (year 1, year 9999 …)."""

    default_error_messages = {
        **serializers.DateField.default_error_messages,
        "out_of_range": DATE_OUT_OF_RANGE,
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed < LATEST_DATE:
            self.fail("out_of_range")
        return parsed
