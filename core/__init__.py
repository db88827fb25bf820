"""Agencies, staff and roles, audit events and the API conventions every app shares."""
