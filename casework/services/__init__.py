"""Every casework write: one keyword-only, transactional, audited function per use case."""
