"""Admin screens for casework notes (not built yet)."""
