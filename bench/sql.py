"""Hand-written SQL for the rows each benchmarked endpoint returns: the database's own speed.

One statement per endpoint, written as one would by hand for this schema: the page of ids
chosen first (flag, report status and sort keys computed once per row through LATERAL
joins), then the page's rows with everything the API renders — lead department, owner,
co-departments and key results as JSON, flag, expected progress, overdue, report status.
The benchmark checks that each returns the same ids, in the same order, as the endpoint.

Parameters (psycopg named style) come from bench.probe.sql_params: today, warn_until,
red_points, yellow_points, period, period_deadline, period_last_day, report_default,
department, user, task, limit, plan (the caller's default plan: this year's plan of their
issuing body, what every task list shows when no `plan` is named), body (the caller's
issuing body: a supervisor reads its plans' indicators), since (the `updated_since`
cutoff: the client's time minus the sync overlap).

GET /me/work/ (a department lead's six groups) is one statement here against the
endpoint's seven; bench.probe also replays those seven for the note. Its extra parameter:
week_end (the Sunday of today's week).
"""

from __future__ import annotations

# tasks_app.models.plan.NOT_CHASED_STATUSES: closed (completed, cancelled, withdrawn, carried
# over) or suspended on purpose.
NOT_CHASED = "('completed', 'cancelled', 'withdrawn', 'carried_over', 'suspended')"

# Per task t: next open milestone (nm.next_due: the column the database keeps, migration
# tasks_app 0007), 序时进度 (x.expected).
_TASK_LATERALS = """
  CROSS JOIN LATERAL (SELECT t.next_open_milestone_due AS next_due) nm
  CROSS JOIN LATERAL (
    SELECT CASE WHEN t.start_date >= %(today)s THEN 0
                WHEN t.due_date <= %(today)s THEN 100
                ELSE (%(today)s - t.start_date) * 100 / GREATEST(t.due_date - t.start_date, 1)
           END AS expected
  ) x
"""

_FLAG = f"""
  CASE WHEN t.status IN {NOT_CHASED} THEN 'green'
       WHEN t.due_date < %(today)s OR nm.next_due < %(today)s
            OR x.expected > t.progress + %(red_points)s THEN 'red'
       WHEN t.due_date <= %(warn_until)s OR nm.next_due <= %(warn_until)s
            OR x.expected >= t.progress + %(yellow_points)s THEN 'yellow'
       ELSE 'green' END
"""

_OVERDUE = f"""
  (t.status NOT IN {NOT_CHASED}
   AND (t.due_date < %(today)s OR nm.next_due < %(today)s))
"""

_FIRST_MISSED = "LEAST(t.due_date, COALESCE(nm.next_due, DATE '9999-12-31'))"

_DAYS_OVERDUE = f"""
  CASE WHEN t.status IN {NOT_CHASED} THEN 0
       ELSE GREATEST(0, %(today)s - {_FIRST_MISSED}) END
"""

# Candidate ids as a UNION of two index scans (lead; co-department link): an OR of the two
# in one WHERE defeats the planner's estimates at city scale.
_MY_TASK_IDS = """
  SELECT t.id FROM tasks_app_task t
   WHERE t.lead_department_id IN (SELECT department_id FROM tasks_app_membership
                                  WHERE user_id = %(user)s)
  UNION
  SELECT l.task_id FROM tasks_app_task_co_departments l
   WHERE l.department_id IN (SELECT department_id FROM tasks_app_membership
                             WHERE user_id = %(user)s)
"""

_DEPARTMENT_TASK_IDS = """
  SELECT t.id FROM tasks_app_task t WHERE t.lead_department_id = %(department)s
  UNION
  SELECT l.task_id FROM tasks_app_task_co_departments l WHERE l.department_id = %(department)s
"""

# For whole-city scans (the same columns as _TASK_LATERALS).
_OPEN_MILESTONES = """
  CROSS JOIN LATERAL (SELECT t.next_open_milestone_due AS next_due) nm
  CROSS JOIN LATERAL (
    SELECT CASE WHEN t.start_date >= %(today)s THEN 0
                WHEN t.due_date <= %(today)s THEN 100
                ELSE (%(today)s - t.start_date) * 100 / GREATEST(t.due_date - t.start_date, 1)
           END AS expected
  ) x
"""


def _task_rows(page: str, order: str) -> str:
    """The page's rows with everything a task renders; `page` yields (id, sort keys…)."""
    return f"""
WITH page AS ({page})
SELECT t.id, t.code, t.title, t.text, t.plan_id, t.chapter_id, t.measure_id,
       t.start_date, t.due_date, t.original_due_date, t.status, t.progress, t.version,
       t.updated_at, t.completed_at, t.created_at,
       json_build_object('id', d.id, 'code', d.code, 'name', d.name) AS lead_department,
       CASE WHEN u.id IS NULL THEN NULL ELSE
         json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name)
       END AS owner,
       (SELECT COALESCE(json_agg(json_build_object('id', cd.id, 'code', cd.code,
                                                   'name', cd.name) ORDER BY cd.code), '[]')
          FROM tasks_app_task_co_departments l
          JOIN tasks_app_department cd ON cd.id = l.department_id
         WHERE l.task_id = t.id) AS co_departments,
       (SELECT COALESCE(json_agg(json_build_object('id', k.id, 'value', k.value, 'unit', k.unit,
                                                   'label', k.label, 'actual', k.actual_value)
                                 ORDER BY k."order"), '[]')
          FROM tasks_app_keyresult k WHERE k.task_id = t.id) AS key_results,
       x.expected AS expected_progress, {_FLAG} AS flag, {_OVERDUE} AS is_overdue,
       {_FIRST_MISSED} AS first_missed,
       GREATEST(0, x.expected - t.progress) AS behind_points,
       %(period)s AS report_period,
       CASE WHEN r.first_at < %(period_deadline)s THEN 'in'
            WHEN r.first_at IS NOT NULL THEN 'late'
            WHEN t.status IN {NOT_CHASED} OR t.start_date > %(period_last_day)s
              THEN 'not_required'
            ELSE %(report_default)s END AS report_status
  FROM page p
  JOIN tasks_app_task t ON t.id = p.id
  JOIN tasks_app_department d ON d.id = t.lead_department_id
  LEFT JOIN tasks_app_user u ON u.id = t.owner_id
  {_TASK_LATERALS}
  LEFT JOIN LATERAL (
    SELECT MIN(pr.created_at) AS first_at FROM tasks_app_progressreport pr
     WHERE pr.task_id = t.id AND pr.period = %(period)s
       AND pr.department_id = t.lead_department_id
  ) r ON TRUE
 ORDER BY {order}
"""


def _recent_page(where: str, laterals: str = "") -> str:
    """Ids of visible tasks matching `where`, newest change first (the list's order)."""
    return _task_rows(
        f"""SELECT t.id, t.updated_at FROM tasks_app_task t {laterals}
             WHERE NOT t.is_archived AND t.plan_id = %(plan)s AND {where}
             ORDER BY t.updated_at DESC, t.id DESC LIMIT %(limit)s""",
        "p.updated_at DESC, p.id DESC",
    )


def tasks_mine() -> str:
    """GET /tasks/ as a department lead: the tasks of the caller's departments."""
    return _recent_page(f"t.id IN ({_MY_TASK_IDS})")


def tasks_sync() -> str:
    """GET /tasks/?updated_since=S as a department lead: the caller's tasks changed since
    the cutoff, newest change first (no tombstones in the generated data)."""
    return _recent_page(f"t.updated_at >= %(since)s AND t.id IN ({_MY_TASK_IDS})")


def tasks_by_department() -> str:
    """GET /tasks/?department=D as a supervisor: lead or co-department D."""
    return _recent_page(f"t.id IN ({_DEPARTMENT_TASK_IDS})")


def tasks_red() -> str:
    """GET /tasks/?flag=red as a supervisor (every task of their district's plan).

    Walks the updated_at index and stops at the page's last red task."""
    return _recent_page(f"({_FLAG}) = 'red'", _TASK_LATERALS)


def supervision_overdue() -> str:
    """GET /supervision/overdue/ as a supervisor: red and yellow, most overdue first.

    Every task must be judged to sort them."""
    flag_rank = f"CASE WHEN ({_FLAG}) = 'red' THEN 0 ELSE 1 END"
    page = f"""SELECT t.id, {_DAYS_OVERDUE} AS days_overdue, {flag_rank} AS flag_rank,
                      GREATEST(0, x.expected - t.progress) AS behind,
                      {_FIRST_MISSED} AS first_missed
                 FROM tasks_app_task t {_OPEN_MILESTONES}
                WHERE NOT t.is_archived AND t.plan_id = %(plan)s
                  AND ({_FLAG}) IN ('red', 'yellow')
                ORDER BY days_overdue DESC, flag_rank, behind DESC, first_missed, t.id
                LIMIT %(limit)s"""
    order = "p.days_overdue DESC, p.flag_rank, p.behind DESC, p.first_missed, p.id"
    return _task_rows(page, order)


def task_detail() -> str:
    """GET /tasks/{id}/ as a supervisor."""
    return _task_rows("SELECT %(task)s::bigint AS id", "p.id")


def notifications_unread() -> str:
    """GET /notifications/?unread=true: the caller's unread inbox, newest change first."""
    return """
SELECT n.id, n.kind, n.title, n.body, n.payload, n.task_id, n.created_at, n.read_at,
       n.updated_at
  FROM tasks_app_notification n
 WHERE n.recipient_id = %(user)s AND n.read_at IS NULL
 ORDER BY n.updated_at DESC, n.id DESC
 LIMIT %(limit)s
"""


def indicators() -> str:
    """GET /indicators/ as a supervisor: a page of their district's indicators with
    department, latest figure and judgement."""
    return """
SELECT i.*, json_build_object('id', d.id, 'code', d.code, 'name', d.name) AS department,
       o.latest AS latest_observation, j.latest AS judgement, g.gdp AS gdp_latest
  FROM indicators_app_indicator i
  LEFT JOIN tasks_app_department d ON d.id = i.responsible_department_id
  LEFT JOIN LATERAL (
    SELECT row_to_json(ob) AS latest FROM indicators_app_observation ob
     WHERE ob.indicator_id = i.id ORDER BY ob.period_end DESC, ob.id DESC LIMIT 1
  ) o ON TRUE
  LEFT JOIN LATERAL (
    SELECT row_to_json(ij) AS latest FROM indicators_app_indicatorjudgement ij
     WHERE ij.indicator_id = i.id ORDER BY ij.created_at DESC, ij.id DESC LIMIT 1
  ) j ON TRUE
  LEFT JOIN LATERAL (
    SELECT row_to_json(gob) AS gdp FROM indicators_app_indicator gi
      JOIN indicators_app_observation gob ON gob.indicator_id = gi.id
     WHERE gi.plan_id = i.plan_id AND gi.name = '地区生产总值'
     ORDER BY gob.period_end DESC, gob.id DESC LIMIT 1
  ) g ON TRUE
 WHERE i.plan_id IN (SELECT p.id FROM tasks_app_plan p WHERE p.body_id = %(body)s)
 ORDER BY i."order", i.id
 LIMIT %(limit)s
"""


_REPORT_STATUS = f"""
  CASE WHEN r.first_at < %(period_deadline)s THEN 'in'
       WHEN r.first_at IS NOT NULL THEN 'late'
       WHEN t.status IN {NOT_CHASED} OR t.start_date > %(period_last_day)s THEN 'not_required'
       ELSE %(report_default)s END
"""


def me_work() -> str:
    """GET /me/work/ as a department lead: over the visible tasks of their plan, each
    group's count and first `limit` tasks in the group's order (tasks_app/workflow/
    my_work.py: overdue, due this week, reports owed, returned claims, open 督办单 to
    answer, leader instructions to answer), with what a work item renders."""
    from tasks_app.workflow.rules import TRANSITION_ACTIONS

    transitions = ", ".join(f"'{a}'" for a in TRANSITION_ACTIONS)
    group = """(SELECT {g} AS g, v.id, {respond_by} AS respond_by, {reason} AS reason,
                row_number() OVER (ORDER BY {order}) AS k
           FROM v WHERE {where} ORDER BY k LIMIT %(limit)s)"""
    notice = """(SELECT n.{col} FROM tasks_app_supervisionnotice n
                  WHERE n.task_id = v.id AND n.kind = 'notice' AND n.status = 'open'
                    AND n.department_id IN (SELECT department_id FROM mine)
                  ORDER BY n.created_at DESC, n.id DESC LIMIT 1)"""
    instruction = """(SELECT li.{col} FROM tasks_app_leaderinstruction li
                       WHERE li.task_id = v.id AND li.responded_at IS NULL
                         AND v.lead_department_id IN (SELECT department_id FROM mine)
                       ORDER BY li.respond_by, li.id LIMIT 1)"""
    due_this_week = f"""NOT v.is_overdue AND v.status NOT IN {NOT_CHASED}
           AND ((v.due_date BETWEEN %(today)s AND %(week_end)s)
                OR (v.next_due BETWEEN %(today)s AND %(week_end)s))"""
    groups = [
        ("v.is_overdue", "v.days_overdue DESC, v.due_date, v.id", "NULL::date", "NULL"),
        (due_this_week, "v.first_missed, v.id", "NULL::date", "NULL"),
        ("v.report_status = 'missing'", "v.due_date, v.id", "NULL::date", "NULL"),
        (
            "v.status = 'in_progress' AND v.last_transition = 'return'",
            "v.due_date, v.id",
            "NULL::date",
            "v.last_reason",
        ),
        (
            "v.has_notice",
            f"{notice.format(col='respond_by')} NULLS LAST, v.id",
            notice.format(col="respond_by"),
            notice.format(col="reason"),
        ),
        (
            "v.has_instruction",
            f"{instruction.format(col='respond_by')}, v.id",
            instruction.format(col="respond_by"),
            instruction.format(col="text"),
        ),
    ]
    page = "\n  UNION ALL\n  ".join(
        group.format(g=i, where=w, order=o, respond_by=rb, reason=rs)
        for i, (w, o, rb, rs) in enumerate(groups, start=1)
    )
    counts = ", ".join(
        f"count(*) FILTER (WHERE {w}) AS c{i}" for i, (w, *_r) in enumerate(groups, start=1)
    )
    last_status = """(SELECT h.{col} FROM tasks_app_historyevent h
                       WHERE h.task_id = t.id AND h.field = 'status'
                         AND h.action IN ({transitions})
                       ORDER BY h.at DESC, h.id DESC LIMIT 1)"""
    return f"""
WITH mine AS (SELECT department_id FROM tasks_app_membership WHERE user_id = %(user)s),
v AS (
  SELECT t.id, t.due_date, t.status, t.lead_department_id, nm.next_due,
         {_FLAG} AS flag, {_OVERDUE} AS is_overdue, {_DAYS_OVERDUE} AS days_overdue,
         {_FIRST_MISSED} AS first_missed, {_REPORT_STATUS} AS report_status,
         {last_status.format(col="action", transitions=transitions)} AS last_transition,
         {last_status.format(col="reason", transitions=transitions)} AS last_reason,
         EXISTS (SELECT 1 FROM tasks_app_supervisionnotice n
                  WHERE n.task_id = t.id AND n.kind = 'notice' AND n.status = 'open'
                    AND n.department_id IN (SELECT department_id FROM mine)) AS has_notice,
         EXISTS (SELECT 1 FROM tasks_app_leaderinstruction li
                  WHERE li.task_id = t.id AND li.responded_at IS NULL
                    AND t.lead_department_id IN (SELECT department_id FROM mine))
           AS has_instruction
    FROM tasks_app_task t
    {_TASK_LATERALS}
    LEFT JOIN LATERAL (
      SELECT MIN(pr.created_at) AS first_at FROM tasks_app_progressreport pr
       WHERE pr.task_id = t.id AND pr.period = %(period)s
         AND pr.department_id = t.lead_department_id
    ) r ON TRUE
   WHERE NOT t.is_archived AND t.plan_id = %(plan)s AND t.id IN ({_MY_TASK_IDS})
),
counts AS (SELECT {counts} FROM v),
page AS (
  {page}
)
SELECT p.id, p.g, p.k, t.code, t.title, t.status, v.flag, t.due_date, v.is_overdue,
       v.days_overdue, v.report_status,
       json_build_object('id', d.id, 'code', d.code, 'name', d.name) AS lead_department,
       p.respond_by, p.reason, c.*
  FROM page p
  JOIN v ON v.id = p.id
  JOIN tasks_app_task t ON t.id = p.id
  JOIN tasks_app_department d ON d.id = t.lead_department_id
 CROSS JOIN counts c
 ORDER BY p.g, p.k
"""


ENDPOINT_SQL = {
    "tasks_mine": tasks_mine,
    "tasks_by_department": tasks_by_department,
    "tasks_red": tasks_red,
    "supervision_overdue": supervision_overdue,
    "notifications_unread": notifications_unread,
    "indicators": indicators,
    "task_detail": task_detail,
    "tasks_sync": tasks_sync,
    "me_work": me_work,
}
