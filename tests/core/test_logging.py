"""Structured logging: every record carries the id of the request it was written in."""

import json
import logging

from core.logging import JsonFormatter, RequestContextFilter
from core.request_context import RequestContext, reset_request_context, set_request_context


def make_record(message="Kia ora"):
    return logging.LogRecord("tautoko.test", logging.INFO, __file__, 1, message, None, None)


def test_records_inside_a_request_carry_its_id_as_json():
    record = make_record("Whānau hui booked")
    token = set_request_context(RequestContext(request_id="req-abc12345", ip_address="127.0.0.1"))
    try:
        RequestContextFilter().filter(record)
    finally:
        reset_request_context(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] == "req-abc12345"
    assert line["message"] == "Whānau hui booked"
    assert line["level"] == "INFO"


def test_records_outside_a_request_say_so():
    record = make_record()

    RequestContextFilter().filter(record)

    assert record.request_id == "-"
