"""Writes of tasks_app: every change goes through a service, one transaction each."""
