"""Programmes and budgets, financial aid, employment support, the directory and referrals."""
