"""deliveries_enqueue against the real broker: one delivery_send message per row, in order.

The reminder run hands thousands of rows to the workers after its commit; they go through
one producer (and, on Redis, pipelined round trips), but each row keeps its own message
(a worker's claim and retries are per row).
"""

from __future__ import annotations

import base64
import json

import pytest

from tasks_app.reminders.deliveries import ENQUEUE_BATCH, deliveries_enqueue
from tasks_app.tasks import delivery_send


def _queued(app, queue: str) -> list[tuple[str, list]]:
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        raw = client.lrange(queue, 0, -1)
    messages = [json.loads(m) for m in reversed(raw)]  # LPUSH: the newest first
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_deliveries_enqueue_publishes_one_message_per_row_in_order() -> None:
    app = delivery_send.app
    if not str(app.conf.broker_url).startswith("redis"):
        pytest.skip("needs the Redis broker of .ci/services.py")
    queue = app.conf.task_default_queue
    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(queue)
    ids = list(range(1, 2 * ENQUEUE_BATCH + 7))  # more than one round trip, not a multiple
    try:
        deliveries_enqueue(iter(ids))
        queued = _queued(app, queue)
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete(queue)
    assert [task for task, _ in queued] == ["tasks_app.delivery_send"] * len(ids)
    assert [args for _, args in queued] == [[i] for i in ids]


def test_deliveries_enqueue_of_nothing_publishes_nothing() -> None:
    app = delivery_send.app
    if not str(app.conf.broker_url).startswith("redis"):
        pytest.skip("needs the Redis broker of .ci/services.py")
    queue = app.conf.task_default_queue
    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(queue)
    deliveries_enqueue([])
    assert _queued(app, queue) == []
