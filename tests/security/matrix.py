"""The authorization matrix (OWASP form): route × method × role → the expected answer.

Roles are people in a relation to one real task of the 2025 plan (tests.api.tasks_support):
the district's supervisor (督查室) and leader (区领导); the lead and staff of the task's lead
department (own department); the lead and staff of a co-responsible department; the lead
and staff of an unrelated department (other department); and nobody signed in.

Every row is one request made as each role with a body that would succeed for a role
allowed to do it, so a cell that says 403 or 404 is a refusal and not a validation error.
Routes are relative to their area ("api/v1/", "console/", ""), ids written {pk} for the
URL conf's <int:pk>; `variant` tells two requests to one route apart (e.g. the
transition taken). Answers, one per role in ROLES order: ann(onymous), sup(ervisor),
l(ea)d(e)r, l(ea)d / st(a)f(f) of the lead department, co / co(-)s(taff) of a
co-department, o(ther)t(…)l(ead) / o(ther)t(…)s(taff) of an unrelated department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = (
    "anonymous",
    "supervisor",
    "leader",
    "lead_lead",
    "lead_staff",
    "co_lead",
    "co_staff",
    "other_lead",
    "other_staff",
)
LOGIN = "login"  # 302 to the area's login page ("LGN" in the tables)


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    variant: str
    expected: dict[str, int | str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.route, self.method)

    @property
    def label(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.variant}]" if self.variant else "")


def _answer(code: str) -> int | str:
    return LOGIN if code == "LGN" else int(code)


def _rows(table: list[tuple[str, str, str]]) -> list[Row]:
    """(method, "route with {pk}-style ids[ variant]", nine answers in ROLES order) → Rows."""
    rows = []
    for method, template, answers in table:
        codes = answers.split()
        assert len(codes) == len(ROLES), (method, template)
        path, _, variant = template.partition(" ")
        # {pk} is the URL conf's <int:pk>; {str:key} its <str:key>
        route = re.sub(
            r"\{(?:(\w+):)?(\w+)\}", lambda m: f"<{m.group(1) or 'int'}:{m.group(2)}>", path
        )
        expected = {role: _answer(code) for role, code in zip(ROLES, codes, strict=True)}
        rows.append(Row(route, method, variant, expected))
    return rows


# fmt: off
API = _rows([
    # method  route [variant]                               ann sup ldr ld  stf co  cos otl ots
    ("POST",  "auth/token/ own",                            "401 200 200 200 200 200 200 200 200"),
    ("POST",  "auth/token/refresh/ own",                    "401 200 200 200 200 200 200 200 200"),
    ("GET",   "api-auth/login/",                            "200 200 200 200 200 200 200 200 200"),
    ("POST",  "api-auth/login/ own",                        "200 302 302 302 302 302 302 302 302"),
    ("PUT",   "api-auth/login/",                            "200 200 200 200 200 200 200 200 200"),
    ("POST",  "api-auth/logout/",                           "200 200 200 200 200 200 200 200 200"),
    ("GET",   "schema/",                                    "200 200 200 200 200 200 200 200 200"),
    ("GET",   "docs/",                                      "200 200 200 200 200 200 200 200 200"),
    ("GET",   "redoc/",                                     "200 200 200 200 200 200 200 200 200"),
    ("GET",   "",                                           "401 200 200 200 200 200 200 200 200"),
    ("GET",   "me/",                                        "401 200 200 200 200 200 200 200 200"),
    ("GET",   "me/work/",                                   "401 200 200 200 200 200 200 200 200"),
    # a signed link is its own proof: whoever holds it (tests/api/test_file_links.py)
    ("GET",   "files/{str:token}/",                         "200 200 200 200 200 200 200 200 200"),
    ("PATCH", "me/ settings",                               "401 200 200 200 200 200 200 200 200"),
    ("GET",   "me/devices/",                                "401 200 200 200 200 200 200 200 200"),
    ("POST",  "me/devices/",                                "401 201 201 201 201 201 201 201 201"),
    ("DELETE", "me/devices/{str:key}/ own",                 "401 204 204 204 204 204 204 204 204"),
    ("GET",   "me/sessions/",                               "401 200 200 200 200 200 200 200 200"),
    ("DELETE", "me/sessions/{str:sid}/ own",                "401 204 204 204 204 204 204 204 204"),
    ("POST",  "me/password/ own",                           "401 200 200 200 200 200 200 200 200"),
    ("POST",  "auth/logout/ own",                           "401 204 204 204 204 204 204 204 204"),
    ("GET",   "departments/",                               "401 200 200 200 200 200 200 200 200"),
    ("GET",   "plans/",                                     "401 200 200 200 200 200 200 200 200"),
    ("GET",   "plans/{pk}/",                                "401 200 200 200 200 200 200 200 200"),
    ("GET",   "plans/{pk}/tree/",                           "401 200 200 200 200 200 200 200 200"),
    ("GET",   "milestones/",                                "401 200 200 200 200 200 200 200 200"),
    ("GET",   "tasks/",                                     "401 200 200 200 200 200 200 200 200"),
    ("GET",   "tasks/{pk}/",                                "401 200 200 200 200 200 200 404 404"),
    ("PATCH", "tasks/{pk}/ title",                          "401 200 403 200 403 403 403 404 404"),
    ("POST",  "tasks/{pk}/transitions/ start",              "401 403 403 200 403 403 403 404 404"),
    ("POST",  "tasks/{pk}/transitions/ suspend",            "401 200 403 403 403 403 403 404 404"),
    ("POST",  "tasks/{pk}/urge/",                           "401 201 403 403 403 403 403 404 404"),
    # 签收 / 退回 of a task awaiting it (the request marks it assigned first)
    ("POST",  "tasks/{pk}/acknowledge/",                    "401 403 403 200 403 403 403 404 404"),
    ("POST",  "tasks/{pk}/return-assignment/",              "401 403 403 200 403 403 403 404 404"),
    ("GET",   "tasks/{pk}/progress-reports/",               "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/progress-reports/",               "401 403 403 201 403 201 403 404 404"),
    ("GET",   "tasks/{pk}/progress-reports/drafts/",        "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/progress-reports/drafts/",        "401 403 403 201 201 201 201 404 404"),
    ("POST",  "tasks/{pk}/progress-reports/drafts/{did}/submit/",
              "401 404 404 201 403 404 404 404 404"),
    ("GET",   "tasks/{pk}/comments/",                       "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/comments/",                       "401 201 403 201 201 201 201 404 404"),
    ("GET",   "tasks/{pk}/attachments/",                    "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/attachments/",                    "401 403 403 201 201 201 201 404 404"),
    ("GET",   "tasks/{pk}/attachments/{aid}/file/",         "401 200 200 200 200 200 200 404 404"),
    ("GET",   "tasks/{pk}/history/",                        "401 200 200 200 200 200 200 404 404"),
    ("GET",   "tasks/{pk}/milestones/",                     "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/milestones/",                     "401 201 403 201 403 403 403 404 404"),
    ("POST",  "tasks/{pk}/milestones/{mid}/complete/",      "401 200 403 200 403 403 403 404 404"),
    ("GET",   "tasks/{pk}/extension-requests/",             "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/extension-requests/",             "401 403 403 201 403 403 403 404 404"),
    ("GET",   "extension-requests/",                        "401 200 200 200 200 200 200 200 200"),
    ("POST",  "extension-requests/{pk}/decision/",          "401 200 403 403 403 403 403 404 404"),
    ("GET",   "supervision/overdue/",                       "401 200 200 200 200 200 200 200 200"),
    ("GET",   "supervision/notices/",                       "401 200 200 200 200 200 200 200 200"),
    ("POST",  "supervision/notices/{pk}/answer/",           "401 403 403 200 200 403 403 404 404"),
    ("POST",  "supervision/notices/{pk}/review/",           "401 200 403 403 403 403 403 404 404"),
    ("GET",   "tasks/{pk}/instructions/",                   "401 200 200 200 200 200 200 404 404"),
    ("POST",  "tasks/{pk}/instructions/",                   "401 403 201 403 403 403 403 404 404"),
    ("POST",  "instructions/{pk}/response/",                "401 403 403 200 200 403 403 404 404"),
    ("POST",  "instructions/{pk}/item/",                    "401 201 403 403 403 403 403 403 403"),
    ("POST",  "supervision/items/",                         "401 201 403 403 403 403 403 403 403"),
    ("GET",   "notifications/",                             "401 200 200 200 200 200 200 200 200"),
    ("POST",  "notifications/read-all/",                    "401 200 200 200 200 200 200 200 200"),
    ("GET",   "notifications/unread-count/",                "401 200 200 200 200 200 200 200 200"),
    ("POST",  "notifications/{pk}/read/ own",               "401 200 200 200 200 200 200 200 200"),
    ("POST",  "notifications/{pk}/read/ of-lead",           "401 404 404 200 404 404 404 404 404"),
    ("GET",   "rollups/",                                   "401 200 200 200 403 200 403 200 403"),
    ("POST",  "rollups/",                                   "401 202 403 403 403 403 403 403 403"),
    ("POST",  "rollups/{pk}/publish/",                      "401 200 403 403 403 403 403 403 403"),
    ("GET",   "rollups/jobs/{pk}/",                         "401 200 200 404 404 404 404 404 404"),
    # an unpublished version: departments read nothing of it while their body circulates
    # its quarters (通报, the default; tests/rollups/test_rollups_circulation.py)
    ("GET",   "rollups/{pk}/",                              "401 200 200 404 403 404 403 404 403"),
    ("GET",   "rollups/{pk}/export/",                       "401 200 200 404 403 404 403 404 403"),
    ("GET",   "indicators/",                                "401 200 200 200 200 200 200 200 200"),
    ("GET",   "indicators/{pk}/",                           "401 200 200 200 200 200 200 200 200"),
    ("GET",   "indicators/{pk}/series/",                    "401 200 200 200 200 200 200 200 200"),
    ("GET",   "indicators/{pk}/observations/",              "401 200 200 200 200 200 200 200 200"),
    ("POST",  "indicators/{pk}/observations/",              "401 201 403 201 201 403 403 403 403"),
    ("POST",  "indicators/{pk}/observations/{oid}/verify/", "401 200 403 403 403 403 403 403 403"),
    ("GET",   "indicators/{pk}/judgement/",                 "401 200 200 200 200 200 200 200 200"),
    ("POST",  "indicators/{pk}/judgement/",                 "401 201 403 403 403 403 403 403 403"),
])

CONSOLE = _rows([
    # method  route [variant]                               ann sup ldr ld  stf co  cos otl ots
    ("GET",   "",                                           "LGN 302 302 302 403 302 403 302 403"),
    ("GET",   "login/",                                     "200 200 200 200 200 200 200 200 200"),
    ("POST",  "login/ own",                                 "200 302 302 302 302 302 302 302 302"),
    ("PUT",   "login/",                                     "200 200 200 200 200 200 200 200 200"),
    ("POST",  "logout/",                                    "LGN LGN LGN LGN LGN LGN LGN LGN LGN"),
    ("GET",   "overdue/",                                   "LGN 200 200 200 403 200 403 200 403"),
    ("GET",   "notices/",                                   "LGN 200 200 200 403 200 403 200 403"),
    ("POST",  "notices/{pk}/decision/",                     "LGN 302 403 403 403 403 403 403 403"),
    ("GET",   "tasks/{pk}/",                                "LGN 200 200 200 403 200 403 404 403"),
    ("POST",  "tasks/{pk}/urge/",                           "LGN 302 403 403 403 403 403 403 403"),
    ("POST",  "tasks/{pk}/acknowledge/",                    "LGN 403 403 302 403 403 403 404 403"),
    ("POST",  "tasks/{pk}/return-assignment/",              "LGN 403 403 302 403 403 403 404 403"),
    ("POST",  "extension-requests/{pk}/decision/",          "LGN 302 403 403 403 403 403 403 403"),
    ("GET",   "attachments/{pk}/thumbnail/",                "LGN 200 200 200 403 200 403 404 403"),
    ("GET",   "quarters/",                                  "LGN 200 200 200 403 200 403 200 403"),
    ("POST",  "quarters/build/",                            "LGN 302 403 403 403 403 403 403 403"),
    ("GET",   "items/new/",                                 "LGN 200 403 403 403 403 403 403 403"),
    ("POST",  "items/new/",                                 "LGN 302 403 403 403 403 403 403 403"),
    ("POST",  "quarters/{pk}/publish/",                     "LGN 302 403 403 403 403 403 403 403"),
    ("GET",   "indicators/",                                "LGN 200 200 200 403 200 403 200 403"),
    ("GET",   "departments/{pk}/ lead-dept",                "LGN 200 200 200 403 403 403 403 403"),
    ("GET",   "rollover/",                                  "LGN 200 403 403 403 403 403 403 403"),
    ("POST",  "rollover/",                                  "LGN 200 403 403 403 403 403 403 403"),
    ("GET",   "plans/new/",                                 "LGN 200 403 403 403 403 403 403 403"),
    ("POST",  "plans/new/",                                 "LGN 302 403 403 403 403 403 403 403"),
    ("GET",   "plans/drafts/{pk}/",                         "LGN 200 403 403 403 403 403 403 403"),
    ("POST",  "plans/drafts/{pk}/",                         "LGN 302 403 403 403 403 403 403 403"),
])

ROOT = _rows([
    # method  route [variant]                               ann sup ldr ld  stf co  cos otl ots
    ("GET",   "healthz",                                    "200 200 200 200 200 200 200 200 200"),
])
# fmt: on

AREAS = {"api/v1/": API, "console/": CONSOLE, "": ROOT}
