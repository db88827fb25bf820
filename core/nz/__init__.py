"""New Zealand identifiers, classifications and calendars, as pure Python with no Django models."""
