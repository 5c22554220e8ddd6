"""Plan structure, tasks and the accountability workflow."""
