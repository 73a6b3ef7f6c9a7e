"""The year's budget: its lines, what went out, the year closed; the pages `/budget/` (members,
the treasurer's forms), the public page and the ledger's CSV."""
