"""HTTP shapes of programmes, budgets, enrolments, aid, payments and recovery."""
