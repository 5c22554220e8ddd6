"""Random edits of the Daxing text: a clean parse or a line-numbered refusal, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks_app.parsing.parser import ParsedPlan, PlanParseError, parse_plan

REPO = Path(__file__).resolve().parents[2]
LINES = (REPO / "seeds" / "daxing-2025" / "plan.txt").read_text(encoding="utf-8").splitlines()
# Refusals about the document as a whole carry no line.
DOCUMENT_REFUSALS = (
    "empty plan text",
    "no parts found",
    "no task part",
    "cannot infer the plan year",
)
SNIPPETS = [
    "一、", "(一)", "（二）", "1.", "3、", "(1)", "①", "。", "，", "\n", "\n\n", " ", "\u3000",
    "2024年", "执行情况", "计划", "主要指标", "分别增长7%、8%", "百分之", "万", "5%以上", "— 3 —",
    "附表", "1 地区生产总值 % 5 5 预期性", "\x00",
]  # fmt: skip

edit = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 2)),
    st.tuples(
        st.just("insert"),
        st.integers(0, len(LINES) - 1),
        st.integers(0, 400),
        st.sampled_from(SNIPPETS),
    ),
    st.tuples(
        st.just("cut"), st.integers(0, len(LINES) - 1), st.integers(0, 400), st.integers(1, 40)
    ),
    st.tuples(st.just("wrap"), st.integers(0, len(LINES) - 1), st.integers(5, 60)),
    st.tuples(st.just("text"), st.integers(0, len(LINES) - 1), st.text(max_size=8)),
)


def apply(lines: list[str], step: tuple) -> list[str]:
    lines = list(lines)
    if not lines:
        return lines
    kind, index, *rest = step
    index %= len(lines)
    line = lines[index]
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, line)
    elif kind == "swap" and index + 1 < len(lines):
        lines[index], lines[index + 1] = lines[index + 1], line
    elif kind == "insert":
        at = rest[0] % (len(line) + 1)
        lines[index] = line[:at] + rest[1] + line[at:]
    elif kind == "cut":
        at = rest[0] % (len(line) + 1)
        lines[index] = line[:at] + line[at + rest[1] :]
    elif kind == "wrap":
        width = rest[0]
        lines[index : index + 1] = [line[i : i + width] for i in range(0, len(line), width)] or [""]
    elif kind == "text":
        lines.insert(index, rest[0])
    return lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=6))
def test_random_edits_parse_or_refuse_with_a_line(steps: list[tuple]) -> None:
    lines = LINES
    for step in steps:
        lines = apply(lines, step)
    text = "\n".join(lines)
    try:
        parsed = parse_plan(text)
    except PlanParseError as error:
        total = len(text.splitlines()) + 1
        if error.line_no is None:
            assert error.message.startswith(DOCUMENT_REFUSALS), error.message
        else:
            assert 1 <= error.line_no <= total, error
        return
    assert isinstance(parsed, ParsedPlan)
    total = len(text.splitlines()) + 1
    for chapter in parsed.chapters:
        for measure in chapter.measures:
            for task in measure.tasks:
                assert 1 <= task.line_no <= total
                assert task.text.strip()
    for warning in parsed.warnings:
        assert warning.line_no is None or 1 <= warning.line_no <= total
