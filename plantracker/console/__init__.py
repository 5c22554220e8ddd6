"""The supervision console (督查控制台): server-rendered pages in the Django admin's look.

Overdue board, task page, quarter page, indicator page and department page under
/console/, with their own login so department leads need no is_staff. Views only parse,
call shared selectors and services, and render; charts are server-side SVG (charts.py).
"""
