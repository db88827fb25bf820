"""Admin screens for casework goals (not built yet)."""
