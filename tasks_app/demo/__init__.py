"""The living demo: plausible activity on the plan, created through the services."""
