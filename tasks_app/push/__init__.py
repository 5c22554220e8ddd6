"""Push to phones: device registration (devices.py), the gateway interface and its HTTP
provider (gateway.py), and the outbox's push channel (channel.py)."""
