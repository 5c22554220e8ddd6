"""The parser's diagnostics: a refusal (PlanParseError) and a guess (ParseWarning), both by line."""

from __future__ import annotations

from dataclasses import dataclass


class PlanParseError(ValueError):
    """The plan text cannot be parsed; line_no (1-based) names the offending line if known."""

    def __init__(self, message: str, line_no: int | None = None) -> None:
        self.message = message
        self.line_no = line_no
        super().__init__(message if line_no is None else f"line {line_no}: {message}")


@dataclass(frozen=True)
class ParseWarning:
    """A guess the parser made; line_no is the original line (before de-wrapping) it concerns."""

    line_no: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line_no is None else f"line {self.line_no}: {self.message}"


def line_ranges(numbers: list[int], limit: int = 12) -> str:
    """Compact list of line numbers: [2, 3, 4, 9] -> "2-4, 9" (at most `limit` ranges)."""
    ranges: list[list[int]] = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:limit]]
    more = f" and {len(ranges) - limit} more" if len(ranges) > limit else ""
    return ", ".join(shown) + more
