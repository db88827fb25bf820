"""Report jobs, PDF outcome reports and compliance exports."""
