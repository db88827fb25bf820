"""HTTP shapes of casework records (parsing and rendering only)."""
