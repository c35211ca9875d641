"""Events of a case that apps above cases act on, so that cases never imports them.

``categories_added`` is sent inside the transaction that gives a case categories — a new case
(``new_case=True``) or categories added to an open one — with ``actor``, ``case`` and ``categories``
(codes). The ledgers app answers it with the 随时上报 addendum (ledgers/apps.py); an exception in a
receiver undoes the whole change, as a direct call would.
"""

from django.dispatch import Signal

categories_added = Signal()
