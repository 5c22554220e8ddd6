"""Serializers of the directory endpoints: departments, plans, the plan tree, milestones."""

from rest_framework import serializers

from tasks_app.models import Chapter, Department, Milestone, Plan


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "is_active", "updated_at"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "body",
            "year",
            "kind",
            "status",
            "title",
            "source",
            "imported_at",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChapterBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["id", "number", "title"]
        read_only_fields = fields


class PlanDetailSerializer(serializers.ModelSerializer):
    chapters = ChapterBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [*PlanSerializer.Meta.fields, "source_text", "chapters"]
        read_only_fields = fields


# --- Plan tree (built as plain data by tasks_app.plans.selectors.plan_tree) -------


class StatusCountsSerializer(serializers.Serializer):
    """Tasks per status (keys: every TaskStatus value)."""

    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    pending_review = serializers.IntegerField()
    completed = serializers.IntegerField()
    suspended = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    carried_over = serializers.IntegerField()


class FlagCountsSerializer(serializers.Serializer):
    """Tasks per flag colour, as of the tree's `as_of` day."""

    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class TaskCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    by_flag = FlagCountsSerializer()


class TreeMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    counts = TaskCountsSerializer()


class TreeChapterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    counts = TaskCountsSerializer()
    measures = TreeMeasureSerializer(many=True)


class PlanTreeSerializer(serializers.Serializer):
    """Counts cover only the tasks the caller may see; flags as of `as_of`."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    title = serializers.CharField()
    as_of = serializers.DateField()
    counts = TaskCountsSerializer()
    chapters = TreeChapterSerializer(many=True)


# --- Milestones across tasks -----------------------------------------------------------


class MilestoneWithTaskSerializer(serializers.ModelSerializer):
    """A milestone in the cross-task list, with its task's code and overdue state."""

    task_code = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Open, its task still chased, and due before today."
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "task",
            "task_code",
            "sequence",
            "title",
            "due_date",
            "original_due_date",
            "is_final",
            "completed_at",
            "is_overdue",
            "updated_at",
        ]
        read_only_fields = fields
