"""Re-importing a plan never undoes people's work (issue 13, "Done when", first point).

People change a title (service), remove a co-department (service), get a milestone
extension approved (service) and change a lead in the admin (the admin's change form,
through the test client). The same file again changes nothing and says so; an edited
file changes exactly the fields only the file changed, lists the conflicts, withdraws the
task whose sentence left, and writes a history row for every change it makes.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from indicators_app.models import Indicator
from tasks_app.models import (
    Department,
    ExtensionRequest,
    HistoryEvent,
    KeyResult,
    Milestone,
    Plan,
    PlanImport,
    Task,
    TaskStatus,
    User,
)
from tasks_app.workflow.services.comments import comment_create
from tasks_app.workflow.services.extensions import (
    extension_request_create,
    extension_request_decide,
)
from tasks_app.workflow.services.task_update import task_update
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db

PLAN_TEXT = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")
ENRICHMENT = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))

TITLED = "2025-3.1.1-02"  # people retitle it; the file edits its sentence (title conflict)
RETEXTED = "2025-3.1.1-03"  # the file edits its sentence: title and text change
CO_EDITED = "2025-3.1.2-01"  # people remove a co-department
RELED = "2025-3.1.3-01"  # lead changed in the admin; the file names another (conflict)
EXTENDED = "2025-3.2.1-01"  # its first milestone extended through the extension service
REDATED = "2025-3.2.3-01"  # the enrichment moves its due date
GONE = "2025-3.6.2-03"  # its sentence is removed from the text: withdrawn
ADDED = "2025-3.5.3-03"  # a sentence appended to measure 3.5.3: a new task
NEW_SENTENCE = "新增一项测试任务,按季度推进。"
PEOPLE_TITLE = "人工修改的标题"


def _import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out)
    return out.getvalue()


def _state() -> dict[str, Any]:
    link = Task.co_departments.through
    return {
        "tasks": list(Task.objects.order_by("pk").values()),
        "milestones": list(Milestone.objects.order_by("pk").values()),
        "key_results": list(KeyResult.objects.order_by("pk").values()),
        "co": sorted(link.objects.values_list("task_id", "department_id")),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "departments": list(Department.objects.order_by("pk").values()),
        "plans": list(Plan.objects.order_by("pk").values()),
        "history": list(HistoryEvent.objects.order_by("pk").values()),
        "imports": PlanImport.objects.count(),
    }


def _admin_change(client: Client, obj: Any, **changes: Any) -> None:
    """POST the admin's change form as a browser would: every field as rendered, plus ours."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, Any] = {}

    def put(form: Any) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [getattr(v, "pk", v) for v in value]
            else:
                data[form.add_prefix(name)] = "on" if value is True else value

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.initial_forms:
            put(form)
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def people_edits(plan: Plan, supervisor: User, make_member) -> dict[str, Any]:
    """The four edits of the issue, each through the path people use."""
    tasks = {t.code: t for t in Task.objects.filter(plan=plan)}
    task_update(task=tasks[TITLED], actor=supervisor, changes={"title": PEOPLE_TITLE})

    co = list(tasks[CO_EDITED].co_departments.order_by("code"))
    removed = co[0]
    task_update(task=tasks[CO_EDITED], actor=supervisor, changes={"co_departments": co[1:]})

    extended = tasks[EXTENDED]
    first = extended.milestones.get(sequence=1)
    lead = make_member(extended.lead_department)
    request = extension_request_create(
        task=extended,
        actor=lead,
        new_due_date=first.due_date + dt.timedelta(days=15),
        reason="施工窗口推迟",
        milestone_id=first.pk,
    )
    extension_request_decide(extension_request=request, actor=supervisor, approve=True)

    reled = tasks[RELED]
    taken = {reled.lead_department_id, *reled.co_departments.values_list("pk", flat=True)}
    new_lead = Department.objects.exclude(pk__in=taken).order_by("code").first()
    root = User.objects.create_superuser("root", "root@example.test", "x-Password-1")
    client = Client()
    client.force_login(root)
    _admin_change(client, reled, lead_department=new_lead.pk)

    comment_create(task=tasks[GONE], actor=supervisor, body="这项工作已部分完成")
    return {
        "removed_co": removed,
        "extended_due": first.due_date + dt.timedelta(days=15),
        "admin_lead": new_lead,
        "extension": request,
    }


def _edited_files(tmp_path: Path, reled_lead: str) -> Path:
    tasks = {t.code: t for t in Task.objects.all()}
    text = PLAN_TEXT
    for code, prefix in ((TITLED, "坚持"), (RETEXTED, "始终")):
        assert text.count(tasks[code].text) == 1
        text = text.replace(tasks[code].text, prefix + tasks[code].text)
    gone = tasks[GONE].text
    assert text.count(gone) == 1
    text = text.replace(gone, "")
    last = tasks["2025-3.5.3-02"].text
    text = text.replace(last, last + NEW_SENTENCE)
    raw = yaml.safe_load(yaml.safe_dump(ENRICHMENT, allow_unicode=True))
    del raw["tasks"][GONE]
    raw["tasks"][REDATED]["due"] = "2025-10-31"
    raw["tasks"][RELED]["lead"] = reled_lead
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return tmp_path / "plan.txt"


def test_same_file_changes_nothing_and_says_so(people_edits: dict[str, Any]) -> None:
    before = _state()
    output = _import(SEED_DIR / "plan.txt")
    assert "nothing to change" in output
    assert "changed" not in output and "conflicts" not in output
    assert _state() == before
    assert "unchanged since the last import" in _import(SEED_DIR / "plan.txt", "--if-changed")
    assert _state() == before
    dry = _import(SEED_DIR / "plan.txt", "--dry-run")
    assert "nothing to change" in dry and _state() == before


def test_edited_file_merges_and_keeps_peoples_edits(
    people_edits: dict[str, Any], tmp_path: Path, api, supervisor: User
) -> None:
    reled = Task.objects.get(code=RELED)
    other = Department.objects.exclude(
        pk__in=[
            reled.lead_department_id,
            *reled.co_departments.values_list("pk", flat=True),
            *Department.objects.filter(code=ENRICHMENT["tasks"][RELED]["lead"]).values_list(
                "pk", flat=True
            ),
        ]
    ).order_by("-code")[0]
    path = _edited_files(tmp_path, other.code)
    before = _state()
    history_before = HistoryEvent.objects.count()
    before_status = Task.objects.get(code=GONE).status

    preview = _import(path, "--dry-run")
    assert _state() == before  # the dry run writes nothing
    output = _import(path)
    assert preview.endswith(output.split("\n", 1)[1])  # the same diff (after the dry run's tree)

    tasks = {t.code: t for t in Task.objects.all()}
    # What only the file changed, changed.
    assert tasks[TITLED].text.startswith("坚持突出问题导向")
    assert tasks[RETEXTED].text.startswith("始终牢固树立")
    assert tasks[RETEXTED].title.startswith("始终牢固树立")
    assert tasks[REDATED].due_date == dt.date(2025, 10, 31)
    assert tasks[REDATED].milestones.get(is_final=True).due_date == dt.date(2025, 10, 31)
    assert tasks[ADDED].text == NEW_SENTENCE and tasks[ADDED].status == TaskStatus.NOT_STARTED
    # What people changed, stayed.
    assert tasks[TITLED].title == PEOPLE_TITLE
    assert not tasks[CO_EDITED].co_departments.filter(pk=people_edits["removed_co"].pk).exists()
    assert tasks[RELED].lead_department == people_edits["admin_lead"]
    first = tasks[EXTENDED].milestones.get(sequence=1)
    assert first.due_date == people_edits["extended_due"]
    request = ExtensionRequest.objects.get(pk=people_edits["extension"].pk)
    assert request.status == ExtensionRequest.Status.APPROVED
    # The task whose sentence left is withdrawn, not deleted; its comment stays.
    assert tasks[GONE].status == TaskStatus.WITHDRAWN
    assert tasks[GONE].comments.count() == 1
    body = api(supervisor).get(f"/api/v1/tasks/{tasks[GONE].pk}/").json()
    assert body["status"] == "withdrawn"
    assert TaskStatus(body["status"]).label == "已撤销"
    # The conflicts are listed, each with the app's value kept.
    conflicts = output.split("conflicts", 1)[1]
    assert f"{TITLED} title: app {PEOPLE_TITLE}" in conflicts
    assert f"{RELED} lead_department: app {people_edits['admin_lead'].code}" in conflicts
    assert f"- {GONE}" in output and f"+ {ADDED}" in output

    # Every change the import made has a history row, and nothing else changed.
    events = HistoryEvent.objects.filter(pk__gt=before["history"][-1]["id"])
    assert len(events) == HistoryEvent.objects.count() - history_before
    assert all(e.reason == "import_plan" and e.actor_id is None for e in events)
    made = {(e.task.code, e.action, e.field) for e in events}
    assert made == {
        (TITLED, "import_update", "text"),
        (RETEXTED, "import_update", "title"),
        (RETEXTED, "import_update", "text"),
        (REDATED, "import_update", "due_date"),
        (REDATED, "import_milestone", "milestone:4"),
        (ADDED, "imported", ""),
        (GONE, "import_withdraw", "status"),
    }
    withdraw = events.get(action="import_withdraw")
    assert (withdraw.from_value, withdraw.to_value) == (before_status, "withdrawn")
    redated = events.get(task__code=REDATED, field="due_date")
    assert (redated.from_value, redated.to_value) == ("2025-12-31", "2025-10-31")
    touched = {TITLED, RETEXTED, REDATED, ADDED, GONE}
    after = _state()
    assert [t for t in after["tasks"] if t["code"] not in touched] == [
        t for t in before["tasks"] if t["code"] not in touched
    ]
    ids = {t.pk for c, t in tasks.items() if c in touched}
    assert [m for m in after["milestones"] if m["task_id"] not in ids] == [
        m for m in before["milestones"] if m["task_id"] not in ids
    ]
    assert after["co"] == sorted(
        [
            *before["co"],
            *(
                (tasks[ADDED].pk, d)
                for d in tasks[ADDED].co_departments.values_list("pk", flat=True)
            ),
        ]
    )
    assert [k for k in after["key_results"] if k["task_id"] != tasks[ADDED].pk] == before[
        "key_results"
    ]
    assert after["indicators"] == before["indicators"]

    # The same edited file again: nothing to change. The old file again: the task comes
    # back with the status it had, the added one is withdrawn.
    again = _state()
    assert "nothing to change" in _import(path)
    assert _state() == again
    output = _import(SEED_DIR / "plan.txt")
    assert f"+ {GONE}" in output and f"- {ADDED}" in output
    assert Task.objects.get(code=GONE).status == before_status
    assert Task.objects.get(code=ADDED).status == TaskStatus.WITHDRAWN
    assert Task.objects.get(code=TITLED).title == PEOPLE_TITLE
    restore = HistoryEvent.objects.get(task__code=GONE, action="import_restore")
    assert (restore.from_value, restore.to_value) == ("withdrawn", before_status)


def test_withdrawn_tasks_are_not_chased_or_counted(plan: Plan) -> None:
    from tasks_app.rollups.metrics import COUNTED_STATUSES
    from tasks_app.workflow import rules as workflow
    from tasks_app.workflow.cadence import NOT_REQUIRED_STATUSES
    from tasks_app.workflow.flags import NOT_CHASED_STATUSES

    assert TaskStatus.WITHDRAWN in NOT_CHASED_STATUSES
    assert TaskStatus.WITHDRAWN in NOT_REQUIRED_STATUSES
    assert TaskStatus.WITHDRAWN in workflow.CLOSED_STATUSES
    assert TaskStatus.WITHDRAWN not in COUNTED_STATUSES
    assert not any(TaskStatus.WITHDRAWN in t.sources for t in workflow.TRANSITIONS.values())
    assert all(t.target != TaskStatus.WITHDRAWN for t in workflow.TRANSITIONS.values())


def test_first_import_over_an_old_database_keeps_differences_as_conflicts(
    plan: Plan, supervisor: User
) -> None:
    """A database imported before snapshots: where it differs from the file, it is kept."""
    task = Task.objects.get(code=TITLED)
    task_update(task=task, actor=supervisor, changes={"title": PEOPLE_TITLE})
    PlanImport.objects.all().delete()  # as the old importer left it: no snapshot
    before = _state()
    output = _import(SEED_DIR / "plan.txt")
    assert f"{TITLED} title: app {PEOPLE_TITLE}" in output
    assert "(unknown: imported before snapshots)" in output
    assert "nothing to change" in output
    after = _state()
    assert after["imports"] == 1  # the snapshot now exists (and the plan's import time)
    assert {k: v for k, v in after.items() if k not in ("imports", "plans")} == {
        k: v for k, v in before.items() if k not in ("imports", "plans")
    }
    # From now on the people's title is simply theirs: no conflict any more.
    output = _import(SEED_DIR / "plan.txt")
    assert "conflicts" not in output and "nothing to change" in output


def test_dry_run_without_an_enrichment_file(db, tmp_path: Path) -> None:
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    output = _import(tmp_path / "plan.txt", "--dry-run")
    assert "not found; previewing without it" in output
    assert "added: 81 tasks, 21 indicators" in output
    assert "no lead department known" in output  # an empty database: no default lead either
    assert Task.objects.count() == Plan.objects.count() == 0


def _admin_client() -> Client:
    root = User.objects.create_superuser("root2", "root2@example.test", "x-Password-1")
    client = Client()
    client.force_login(root)
    return client


def test_indicators_merge_field_by_field(plan: Plan, tmp_path: Path) -> None:
    owned, timed = Indicator.objects.filter(plan=plan).order_by("order")[:2]
    admin_owner = Department.objects.exclude(pk=owned.responsible_department_id).first()
    _admin_change(_admin_client(), owned, responsible_department=admin_owner.pk)
    raw = yaml.safe_load(yaml.safe_dump(ENRICHMENT, allow_unicode=True))
    file_owner = Department.objects.exclude(
        pk__in=[owned.responsible_department_id, admin_owner.pk]
    ).last()
    raw["indicators"][owned.name]["department"] = file_owner.code
    old_frequency = raw["indicators"][timed.name].get("frequency", "quarterly")
    new_frequency = "annual" if old_frequency != "annual" else "monthly"
    raw["indicators"][timed.name]["frequency"] = new_frequency
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")

    output = _import(tmp_path / "plan.txt")

    owned.refresh_from_db()
    timed.refresh_from_db()
    assert owned.responsible_department == admin_owner  # the admin's edit stays
    assert timed.frequency == new_frequency  # only the file changed it
    assert f"indicator {timed.code} frequency: {old_frequency} → {new_frequency}" in output
    assert f"indicator:{owned.code} responsible_department: app {admin_owner.code}" in output
    # No task's history holds these: the import's own record does.
    summary = PlanImport.objects.filter(plan=plan).latest("imported_at").summary
    assert [timed.code, "frequency", old_frequency, new_frequency] in summary["indicator_changes"]
    assert [f"indicator:{owned.code}", "responsible_department"] in [
        c[:2] for c in summary["conflicts"]
    ]


def test_tasks_created_in_the_admin_are_never_withdrawn(plan: Plan, supervisor: User) -> None:
    from tasks_app.workflow.services.task_admin import task_admin_changes_record

    model = Task.objects.get(code=GONE)
    extra = Task.objects.create(
        plan=plan,
        chapter=model.chapter,
        measure=model.measure,
        code="2025-admin-01",
        sentence_no=99,
        text="管理员补充的任务。",
        title="管理员补充的任务",
        lead_department=model.lead_department,
        start_date=model.start_date,
        due_date=model.due_date,
        original_due_date=model.due_date,
    )
    task_admin_changes_record(task=extra, actor=supervisor, changes=[], created=True)
    output = _import(SEED_DIR / "plan.txt")
    assert "nothing to change" in output
    extra.refresh_from_db()
    assert extra.status == TaskStatus.NOT_STARTED
