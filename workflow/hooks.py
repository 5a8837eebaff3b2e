"""What workflow tells the apps built on it, without importing them (DESIGN.md §2).

Both are sent by workflow's services inside their transaction:
- ``assignment_closed(assignment, state, at)``: the assignment left the open states (done,
  cancelled, transferred); ``state`` is its new ``AssignmentState``.
- ``assignments_closed(assignments, state, at)``: the same for many at once (a queryset of
  them: a reorganisation's transfer), so that the apps that follow act on them all at once.
- ``due_date_changed(assignment, at)``: ``assignment.due_date`` is now a different date (an
  approved extension or an office decision).
"""

from core.hooks import Hook

assignment_closed = Hook("assignment_closed")
assignments_closed = Hook("assignments_closed")
due_date_changed = Hook("due_date_changed")
