"""Admin screens for casework assessments (not built yet)."""
