"""Every casework read: permission-filtered querysets built on casework.access."""
