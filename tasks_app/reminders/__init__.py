"""The reminder ladder: find what is due soon or overdue, escalate, digest, deliver."""
