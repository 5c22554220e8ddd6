"""REST API of indicators_app."""
