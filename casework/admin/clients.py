"""Admin screens for casework clients (not built yet)."""
