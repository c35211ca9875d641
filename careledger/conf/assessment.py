"""考核 (assessment/rules.py). Part of careledger/settings.py."""

from django.core.exceptions import ImproperlyConfigured

from careledger.core.env import env_fraction, env_fractions, env_int

# 考核: the ranking score, the commendation rule and the dashboard's targets
# (assessment/rules.py). Weights and thresholds are "indicator=value" pairs separated by commas.
_ASSESSMENT_SCORED = ("survey_coverage", "mentor_coverage", "compliance_rate", "ledger_on_time", "ack_speed")


ASSESSMENT_WEIGHTS = env_fractions(
    "CARELEDGER_ASSESSMENT_WEIGHTS",
    _ASSESSMENT_SCORED,
    {"survey_coverage": 0.2, "mentor_coverage": 0.2, "compliance_rate": 0.3, "ledger_on_time": 0.15, "ack_speed": 0.15},
)
if not any(ASSESSMENT_WEIGHTS.values()):
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_WEIGHTS needs at least one weight above 0")
# A median time to acknowledge within this many minutes scores 1 (the urgent deadline is one hour).
ASSESSMENT_ACK_TARGET_MINUTES = env_int("CARELEDGER_ASSESSMENT_ACK_TARGET_MINUTES", 60)
if ASSESSMENT_ACK_TARGET_MINUTES < 1:
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_ACK_TARGET_MINUTES must be at least 1")
# The compliance target drawn on the dashboard's compliance chart.
ASSESSMENT_COMPLIANCE_TARGET = env_fraction("CARELEDGER_ASSESSMENT_COMPLIANCE_TARGET", 0.9)
# Commendation candidates: the best N by score among the units meeting every threshold.
ASSESSMENT_COMMEND_TOP = env_int("CARELEDGER_ASSESSMENT_COMMEND_TOP", 3)
ASSESSMENT_COMMEND_THRESHOLDS = env_fractions(
    "CARELEDGER_ASSESSMENT_COMMEND_THRESHOLDS",
    _ASSESSMENT_SCORED,
    {"survey_coverage": 0.95, "mentor_coverage": 0.9, "compliance_rate": 0.9, "ledger_on_time": 1.0},
)
# How many semesters (up to the one shown) the dashboard's trend lines cover.
ASSESSMENT_TREND_SEMESTERS = env_int("CARELEDGER_ASSESSMENT_TREND_SEMESTERS", 6)
if not 1 <= ASSESSMENT_TREND_SEMESTERS <= 12:
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_TREND_SEMESTERS must be 1–12")
