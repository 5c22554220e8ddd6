import pytest, traceback
from unittest import mock
from tests.api.tasks_support import world, clock  # noqa
from tests.security.objects import seed, bearer
from tests.fuzz.support import operations, fuzz_operation, in_process_requests, MODES

@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

@pytest.mark.django_db
def test_repro(world):
    objs = seed(world)
    from drf_standardized_errors import handler
    orig = handler.ExceptionHandler.run
    seen = []
    def run(self):
        from rest_framework.exceptions import APIException
        if not isinstance(self.exc, APIException) and len(seen) < 3:
            seen.append(1)
            traceback.print_exception(self.exc)
        return orig(self)
    with mock.patch.object(handler.ExceptionHandler, "run", run), in_process_requests():
        for op in operations():
            for mode in MODES:
                r = fuzz_operation(op, mode=mode, authorization=None, pools={})
                print(r.label, r.mode, r.statuses)
                if seen: return
