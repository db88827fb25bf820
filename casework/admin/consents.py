"""Admin screens for casework consents (not built yet)."""
