"""Evidence for the survey (issue 16; domain-facts.md §1.5, §2.3, §3). Part of careledger/settings.py."""

from careledger.core.env import env_int, env_str

# The psychological centre's department code: its users import screenings and read item answers.
CARELEDGER_PSYCH_DEPARTMENT = env_str("CARELEDGER_PSYCH_DEPARTMENT", "psych_center")
# Who holds each office list (kind → department code); the school office may upload any of them.
CARELEDGER_SIGNAL_DEPARTMENTS = {
    "aid": env_str("CARELEDGER_AID_DEPARTMENT", "aid_center"),
    "academic": env_str("CARELEDGER_ACADEMIC_DEPARTMENT", "academic_affairs"),
    "discipline": env_str("CARELEDGER_DISCIPLINE_DEPARTMENT", "security"),
    "health": env_str("CARELEDGER_HEALTH_DEPARTMENT", "hospital"),  # 校医院
    "card": env_str("CARELEDGER_CARD_DEPARTMENT", "logistics"),
    "dorm": env_str("CARELEDGER_DORM_DEPARTMENT", "dorm"),
}
# The scales' disputed rules (evidence/scales.py ScaleSettings; defaults as domain-facts.md §1.5).
CARELEDGER_SCALE_SETTINGS = {
    "upi_class1_third": env_str("CARELEDGER_UPI_CLASS1_THIRD", "wenzhou"),  # or "counselling"
    "upi_class2_combination": env_str("CARELEDGER_UPI_CLASS2_COMBINATION", "or"),  # or "and"
    "upi_lie_all_yes": env_str("CARELEDGER_UPI_LIE_ALL_YES", "ignore"),  # or "invalid"
    "scl90_base": env_int("CARELEDGER_SCL90_BASE", 1),  # 1 = 1–5 scale, 0 = 0–4
    "scl90_total_cutoff": env_str("CARELEDGER_SCL90_TOTAL_CUTOFF", "gt"),  # >160, or "ge" ≥160
    "scl90_factor_cutoff": env_str("CARELEDGER_SCL90_FACTOR_CUTOFF", "ge"),  # ≥2, or "gt" >2
    "scl90_combination": env_str("CARELEDGER_SCL90_COMBINATION", "or"),  # or "and"
    "phq9_cutoff": env_int("CARELEDGER_PHQ9_CUTOFF", 10),
    "gad7_cutoff": env_int("CARELEDGER_GAD7_CUTOFF", 10),
}
# 学业预警 (§3): cumulative failed credits ≥10 黄, ≥15 橙, ≥20 红; a GPA below the floor (if set) is 黄 at least.
CARELEDGER_ACADEMIC_FAILED_CREDITS = {
    "yellow": env_int("CARELEDGER_ACADEMIC_YELLOW", 10),
    "orange": env_int("CARELEDGER_ACADEMIC_ORANGE", 15),
    "red": env_int("CARELEDGER_ACADEMIC_RED", 20),
}
CARELEDGER_ACADEMIC_GPA_FLOOR = env_str("CARELEDGER_ACADEMIC_GPA_FLOOR", "")  # e.g. "1.5"; empty: no GPA rule
# 暖心饭卡 (§2.3, 南京理工大学): ≥60 canteen meals a month AND canteen spending ≤ ¥750 that month.
CARELEDGER_CARD_MIN_MEALS = env_int("CARELEDGER_CARD_MIN_MEALS", 60)
CARELEDGER_CARD_MAX_SPEND = env_int("CARELEDGER_CARD_MAX_SPEND", 750)
# 宿管: a row with at least this many late returns / nights away is flagged.
CARELEDGER_DORM_MIN_COUNT = env_int("CARELEDGER_DORM_MIN_COUNT", 2)
