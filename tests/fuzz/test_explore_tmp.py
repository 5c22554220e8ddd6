import pytest, time
from django.core.wsgi import get_wsgi_application
import schemathesis
from schemathesis import GenerationMode
from hypothesis import given, settings, HealthCheck, Phase
from rest_framework_simplejwt.tokens import AccessToken
from django.core import signals
from django.db import close_old_connections
from tests.api.tasks_support import world, clock  # noqa

@pytest.mark.django_db
def test_explore(world):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    app = get_wsgi_application()
    t0=time.time()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    print("load", time.time()-t0)
    token = str(AccessToken.for_user(world.lead_lead))
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
    n=0; fails=[]
    for res in schema.get_all_operations():
        op = res.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            count=[0]
            try:
                strat = op.as_strategy(generation_mode=mode)
            except Exception as e:
                print("strategy fail", op.label, mode, e); continue
            @settings(max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(strat)
            def run(case):
                count[0]+=1
                r = case.call(headers={"Authorization": f"Bearer {token}"})
                case.validate_response(r, checks=[not_a_server_error, response_schema_conformance, status_code_conformance])
            t=time.time()
            try:
                run()
            except Exception as e:
                fails.append((op.label, mode, str(e)[:1500]))
            print(op.label, mode, count[0], round(time.time()-t,2))
    for f in fails: print("FAIL", f)
