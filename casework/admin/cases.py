"""Admin screens for casework cases (not built yet)."""
