"""PDF rendering of reports: pure functions from report data (dicts) to PDF bytes."""
