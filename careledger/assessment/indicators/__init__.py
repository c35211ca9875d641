"""Assessment (考核) indicators per semester, for the school, each college, counselor and mentor.

Definitions (api.md, Assessment; also shown beside each figure on the dashboard):
- students: active students in the unit; surveyed: those reviewed in the semester's survey;
  survey_coverage = surveyed / students.
- open_cases: cases open on the as-of day (the semester's last day, or today if earlier); a student in
  two categories counts once here and once in each of cases_by_category.
- cases_by_risk: the open cases by their risk level (低/中/高) on the as-of day — the level a later
  change replaced (from the case's timeline), else the case's level now.
- with_mentor: open cases with a mentor paired on the as-of day; mentor_coverage = with_mentor / open_cases.
- windows_required / windows_met: the contact-frequency windows (contacts/rules.py: due days over every
  open period, 在校 days only) of the semester that have ended, over the unit's cases, read from the
  maintained compliance table; compliance_rate = windows_met / windows_required.
- overdue_cases: open cases with an ended, unmet window.
- escalations: reported during the semester up to the as-of day; ack_minutes_median: the median time
  to acknowledge them (resolve_minutes_median likewise).
- ledger_on_time: a college's ledger submitted by its due date (true), late or missing after the due
  date (false), not yet due (null); for the school, the share of colleges on time.
- closed_improved: cases closed in the semester with improvement; effect_rating_avg: the average
  帮扶效果 rating (1–5) where one was given.
Rates are fractions 0..1, null when the denominator is 0.

The package: ``definitions`` (the levels and each indicator's definition, translatable), ``loading``
(a semester's Data in a fixed number of queries, whatever the size of the school), ``figures`` (a
unit's row, counted in memory) and ``units`` (the school, colleges, counselors and mentors as sets of
students and cases). Every name below is importable from ``careledger.assessment.indicators`` as before.

bench/dashboard.py times it on a 40,000-student school with 6,000 open cases.
"""

from careledger.assessment.indicators.definitions import DEFINITIONS, LEVELS
from careledger.assessment.indicators.figures import row
from careledger.assessment.indicators.loading import CaseRow, Data, load, load_many, load_students
from careledger.assessment.indicators.units import Unit, college_units, counselor_units, mentor_units, school_unit

__all__ = [
    "DEFINITIONS",
    "LEVELS",
    "CaseRow",
    "Data",
    "Unit",
    "college_units",
    "counselor_units",
    "load",
    "load_many",
    "load_students",
    "mentor_units",
    "row",
    "school_unit",
]
