"""REST API of tasks_app: thin serializers and views over services and selectors."""
