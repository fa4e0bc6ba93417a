"""Domain rules in plain Python: no Flask, no SQLAlchemy. Tested without an app."""
