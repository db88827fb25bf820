"""Admin screens for casework whanau (not built yet)."""
