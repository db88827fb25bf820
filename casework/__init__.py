"""Clients, whānau, cases, notes, consent, goals, the support network and outcome measures."""
