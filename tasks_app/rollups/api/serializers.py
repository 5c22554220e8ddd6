"""Serializers of the rollups API: snapshots, rows, build jobs, query parameters."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plantracker.api.filtering import DB_INT_MAX
from tasks_app.models import Rollup, RollupJob, RollupRow
from tasks_app.rollups.columns import METRIC_FIELDS, completion_rate


class RollupRowSerializer(serializers.ModelSerializer):
    completion_rate = serializers.SerializerMethodField(help_text="已完成任务占比(%)")

    class Meta:
        model = RollupRow
        fields = [
            "level",
            "key",
            "name",
            "department_id",
            "position",
            *METRIC_FIELDS,
            "completion_rate",
            "score",
            "rank",
        ]

    def get_completion_rate(self, row: RollupRow) -> float:
        return completion_rate(row)


class RollupSerializer(serializers.ModelSerializer):
    built_by = serializers.SerializerMethodField()
    is_latest = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    exports = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta:
        model = Rollup
        fields = [
            "id",
            "plan",
            "year",
            "quarter",
            "version",
            "as_of",
            "built_at",
            "built_by",
            "published_at",
            "is_latest",
            "settings_used",
            "url",
            "exports",
            "rows",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_built_by(self, rollup: Rollup) -> str | None:
        return str(rollup.built_by) if rollup.built_by_id else None

    def get_is_latest(self, rollup: Rollup) -> bool:
        return bool(getattr(rollup, "is_latest", True))

    def _absolute(self, name: str, rollup: Rollup, query: str = "") -> str:
        path = reverse(name, args=[rollup.pk]) + query
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, rollup: Rollup) -> str:
        return self._absolute("rollup-detail", rollup)

    @extend_schema_field(
        {"type": "object", "properties": {"xlsx": {"type": "string"}, "csv": {"type": "string"}}}
    )
    def get_exports(self, rollup: Rollup) -> dict[str, str]:
        return {
            fmt: self._absolute("rollup-export", rollup, f"?format={fmt}")
            for fmt in ("xlsx", "csv")
        }

    @extend_schema_field(RollupRowSerializer(many=True))
    def get_rows(self, rollup: Rollup) -> list[dict]:
        rows = getattr(rollup, "visible_rows", [])
        return RollupRowSerializer(rows, many=True).data


class RollupJobSerializer(serializers.ModelSerializer):
    rollup_url = serializers.SerializerMethodField()

    class Meta:
        model = RollupJob
        fields = [
            "id",
            "year",
            "quarter",
            "status",
            "rollup",
            "rollup_url",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_rollup_url(self, job: RollupJob) -> str | None:
        if not job.rollup_id:
            return None
        path = reverse("rollup-detail", args=[job.rollup_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class RollupCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    plan = serializers.IntegerField(
        required=False, min_value=1, help_text=_("计划ID（默认：本单位该年度的计划）")
    )


class RollupAcceptedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.URLField()


class RollupListParamsSerializer(serializers.Serializer):
    plan = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=DB_INT_MAX,  # a bigger one is an OverflowError in SQLite's driver
        help_text=_("计划ID（默认：本单位当年的计划，否则最近的计划）"),
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    department = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=DB_INT_MAX,
        help_text=_("部门ID：只返回该部门的汇总行"),
    )


class ExportParamsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["xlsx", "csv"], required=False, default="xlsx")
