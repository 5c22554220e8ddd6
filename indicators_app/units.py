"""Units of indicator figures and conversion between units of one family.

A reported unit must be the indicator's unit or convert to it: 万元 → 亿元 (÷ 10,000),
‰ → % (÷ 10), 万人 → 人, 万立方米 → 亿立方米 … Units of different families (元 and %,
人 and 家) never convert. 个 and 家 count the same things (enterprises, units) and are
interchangeable. Spellings are normalised first: full-width ％, µg/m³ for 微克/立方米.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# family -> {unit: factor to the family's base unit}
_FAMILIES: dict[str, dict[str, Decimal]] = {
    "money_cny": {"元": Decimal(1), "万元": Decimal(10) ** 4, "亿元": Decimal(10) ** 8},
    "money_usd": {"美元": Decimal(1), "万美元": Decimal(10) ** 4, "亿美元": Decimal(10) ** 8},
    "ratio": {"%": Decimal(1), "‰": Decimal("0.1")},
    "count": {"个": Decimal(1), "家": Decimal(1), "万个": Decimal(10) ** 4},
    "items": {"项": Decimal(1), "件": Decimal(1), "万件": Decimal(10) ** 4},
    "people": {"人": Decimal(1), "万人": Decimal(10) ** 4},
    "visits": {"人次": Decimal(1), "万人次": Decimal(10) ** 4},
    "area": {
        "平方米": Decimal(1),
        "万平方米": Decimal(10) ** 4,
        "公顷": Decimal(10) ** 4,
        "平方公里": Decimal(10) ** 6,
        "亩": Decimal(10000) / Decimal(15),
        "万亩": Decimal(10) ** 8 / Decimal(15),
    },
    "volume": {"立方米": Decimal(1), "万立方米": Decimal(10) ** 4, "亿立方米": Decimal(10) ** 8},
    "mass": {"吨": Decimal(1), "万吨": Decimal(10) ** 4},
    "energy": {"吨标准煤": Decimal(1), "万吨标准煤": Decimal(10) ** 4},
    "concentration": {"微克/立方米": Decimal(1), "毫克/立方米": Decimal(1000)},
}
_ALIASES = {
    "％": "%",
    "percent": "%",
    "pct": "%",
    "μg/m³": "微克/立方米",
    "µg/m³": "微克/立方米",
    "ug/m3": "微克/立方米",
    "μg/m3": "微克/立方米",
    "µg/m3": "微克/立方米",
    "mg/m3": "毫克/立方米",
    "m2": "平方米",
    "m3": "立方米",
    "m³": "立方米",
    "km2": "平方公里",
}
_FAMILY_OF = {unit: family for family, units in _FAMILIES.items() for unit in units}


class UnitError(ValueError):
    """An unknown unit, or one that does not convert to the target unit."""


@dataclass(frozen=True)
class Converted:
    value: Decimal
    unit: str


def normalize_unit(unit: str) -> str:
    """The canonical spelling of a unit ("" stays ""); does not check that it is known."""
    text = (unit or "").strip()
    return _ALIASES.get(text, _ALIASES.get(text.lower(), text))


def is_known(unit: str) -> bool:
    return normalize_unit(unit) in _FAMILY_OF


def convert(value: Decimal, from_unit: str, to_unit: str) -> Converted:
    """Express `value` given in `from_unit` in `to_unit`.

    Raises UnitError when from_unit is unknown, or when both units are known but belong
    to different families. An empty from_unit means "already in to_unit". A target unit
    that is not in the table (an indicator with an unusual unit) accepts only itself.
    """
    source, target = normalize_unit(from_unit), normalize_unit(to_unit)
    if not source or source == target:
        return Converted(value, target)
    if source not in _FAMILY_OF:
        raise UnitError(f"unknown unit {from_unit!r}")
    if not target:
        return Converted(value, source)
    if _FAMILY_OF.get(target) != _FAMILY_OF[source]:
        raise UnitError(f"{from_unit!r} does not convert to {to_unit!r}")
    family = _FAMILIES[_FAMILY_OF[source]]
    return Converted(value * family[source] / family[target], target)
