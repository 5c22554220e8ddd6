"""Who may do what with indicators, in one place for the services, the API and the tests.

| action                       | supervisor/admin | member of responsible dept | leader / others |
| ---------------------------- | ---------------- | -------------------------- | --------------- |
| read indicators/observations | yes              | yes                        | yes             |
| report / correct a figure    | yes              | yes (dept_lead, dept_staff)| no (403)        |
| verify / question a figure   | yes              | no (403)                   | no (403)        |
| record a judgement           | yes              | no (403)                   | no (403)        |
Every authenticated user sees every indicator (district-wide figures), so refusals are 403.
"""

from __future__ import annotations

from indicators_app.models import Indicator
from tasks_app.models import Membership, User
from tasks_app.org.visibility import is_supervisor


def can_report(user: User, indicator: Indicator) -> bool:
    """Members of the indicator's responsible department, or a supervisor."""
    if is_supervisor(user):
        return True
    if indicator.responsible_department_id is None:
        return False
    return Membership.objects.filter(
        user=user,
        department_id=indicator.responsible_department_id,
        role__in=[Membership.DeptRole.LEAD, Membership.DeptRole.STAFF],
    ).exists()


def can_verify(user: User) -> bool:
    return is_supervisor(user)


def can_judge(user: User) -> bool:
    return is_supervisor(user)
