# ruff: noqa
from tests.api.tasks_support import clock, world


def test_edges(world, validated_api):
    c = validated_api(world.supervisor)
    r = c.patch(world.url(), [1, 2], format="json"); print(r.status_code, r.content[:200]); assert r.status_code == 400
    r = c.patch(world.url(), {"owner": None}, format="json"); print(r.status_code); assert r.status_code == 200
    r = c.patch(world.url(), {}, format="json"); assert r.status_code == 200
    r = c.post(world.url("transitions/"), {"action": "suspend", "comment": None}, format="json"); print(r.content[:300]); assert r.status_code == 400
    l = validated_api(world.lead_lead)
    r = l.post(world.url("progress-reports/"), {"percent": 50.5, "narrative": "x"}, format="json"); print(r.content[:300]); assert r.status_code == 400
    r = l.post(world.url("progress-reports/"), {"percent": 50, "narrative": "x", "key_result_values": [{"key_result": "a", "value": 1}]}, format="json"); print(r.status_code, r.content[:300])
    r = l.post(world.url("progress-reports/"), {"percent": 50, "narrative": "x", "key_result_values": "nope"}, format="json"); print(r.status_code, r.content[:300]); assert r.status_code == 400
    r = c.post("/api/v1/extension-requests/999/decision/", {"approve": True}, format="json"); assert r.status_code == 404
    r = c.get("/api/v1/tasks/abc/"); print(r.status_code)
    r = c.get("/api/v1/extension-requests/?task=abc"); print(r.status_code, r.content[:200])
    r = c.get("/api/v1/tasks/?page_size=100000"); print(r.status_code, len(r.json()["results"]))
    r = c.get("/api/v1/tasks/?ordering=flag"); print(r.status_code)
    r = c.get(world.url(), HTTP_ACCEPT_LANGUAGE="en"); print(r.status_code)
    r = validated_api(world.lead_lead).post(world.url("transitions/"), {"action": "approve"}, format="json", HTTP_ACCEPT_LANGUAGE="en"); print(r.content.decode()[:300])
