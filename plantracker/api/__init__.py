"""Glue every API endpoint shares: pagination, ETags, idempotency, sync, errors."""
