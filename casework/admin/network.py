"""Admin screens for casework network (not built yet)."""
