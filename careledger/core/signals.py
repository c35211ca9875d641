"""Signals the floor (core) sends so that higher layers can keep derived data without core importing them."""

from django.dispatch import Signal

# Sent (sender=Semester, semester=...) inside the transaction of every write that creates a semester or
# changes its dates, holidays or key periods: the maintained compliance table is rebuilt from it
# (contacts/apps.py). A semester service added later must send it too.
semester_changed = Signal()
