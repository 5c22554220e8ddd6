"""Fair scores: departments are compared per task, whatever the number of tasks they lead."""

from __future__ import annotations

from decimal import Decimal

from tasks_app.rollups.scoring import competition_ranks, department_score, score_rules


def per_task(n: int, *, red: int, notices: int, missing: int) -> dict:
    """n tasks led, each with the same performance."""
    return {
        "tasks_total": n,
        "tasks_cancelled": 0,
        "red_items": red * n,
        "notices_issued": notices * n,
        "reports_missing": missing * n,
    }


def test_one_and_twenty_one_tasks_with_the_same_performance_score_the_same(settings) -> None:
    rules = score_rules()
    assert rules["ROLLUP_SCORE_FORMULA"] == "per_task_mean"
    one = department_score(per_task(1, red=1, notices=1, missing=2), rules)
    many = department_score(per_task(21, red=1, notices=1, missing=2), rules)
    assert one == many == Decimal("93.0")  # 100 - (2 + 3 + 2×1)
    better = department_score(per_task(21, red=0, notices=0, missing=1), rules)
    ranks = competition_ranks({"one": one, "many": many, "better": better})
    assert ranks == {"better": 1, "one": 2, "many": 2}
    # The first round's formula (kept as a setting) is what punished size.
    settings.PLANTRACKER = {**settings.PLANTRACKER, "ROLLUP_SCORE_FORMULA": "total"}
    assert department_score(per_task(21, red=1, notices=1, missing=2), score_rules()) == 0


def test_cancelled_tasks_do_not_dilute_the_score() -> None:
    rules = score_rules()
    metrics = {"tasks_total": 3, "tasks_cancelled": 1, "red_items": 2, "notices_issued": 0}
    assert department_score(metrics, rules) == Decimal("98.0")  # 100 - 2×2 / 2
