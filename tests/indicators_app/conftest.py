"""Fixtures of the indicator tests: indicators of the real plan by name, their reporters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from indicators_app.models import Indicator
from tasks_app.models import Department, Plan, User

GDP = "地区生产总值"
REVENUE = "一般公共预算收入"  # 稳步增长, 亿元, czj
URBAN_INCOME = "城镇居民人均可支配收入"  # 与经济增长基本同步, tjj
RURAL_INCOME = "农村居民人均可支配收入"  # 与经济增长基本同步, nyj
UNEMPLOYMENT = "城镇登记失业率"  # <= 5 %, rsj
FOOD = "食品安全监测抽验合格率"  # >= 98.5 %, scjgj
RECYCLING = "生活垃圾回收利用率"  # >= 40 %, cgw
PM25 = "细颗粒物浓度"  # 达到市级要求, 微克/立方米, sthjj


@pytest.fixture
def api(validated_api) -> Callable[[User | None], APIClient]:
    """Here every API response is also checked against the served OpenAPI schema."""
    return validated_api


@pytest.fixture
def indicator(plan: Plan) -> Callable[[str], Indicator]:
    """indicator(name) -> the imported indicator of the 2025 plan with that name."""

    def get(name: str) -> Indicator:
        return Indicator.objects.select_related("plan", "responsible_department").get(
            plan=plan, name=name
        )

    return get


@pytest.fixture
def reporter(plan: Plan, make_member) -> Callable[..., User]:
    """reporter(indicator_name, role="dept_staff") -> a member of its responsible department."""

    def make(name: str, role: str = "dept_staff") -> User:
        dept = Indicator.objects.get(plan=plan, name=name).responsible_department
        username = f"{role}.{dept.code}"
        existing = User.objects.filter(username=username).first()
        return existing or make_member(dept, role=role, username=username)

    return make


@pytest.fixture
def outsider(plan: Plan, make_member) -> User:
    """The lead of 区教委, which answers for no indicator."""
    return make_member(Department.objects.get(code="jw"), role="dept_lead")
