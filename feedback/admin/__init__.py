"""The admin area: triage of unroutable tickets, staff accounts and Basra's reference data."""
