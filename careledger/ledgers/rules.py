"""Pure decisions about ledgers (no ORM): what a submission must warn about before it is sent."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SubmitWarning:
    """Something the signer must see, with its numbers, before the ledger goes to 学工处."""

    code: str  # survey | unpaired | overdue
    count: int
    total: int
    message: str


def submission_warnings(*, students: int, reviewed: int, open_cases: int, unpaired: int, overdue: int) -> list:
    """Survey coverage below 100 %, open cases without a mentor, cases with an unmet ended window."""
    out = []
    if students and reviewed < students:
        percent = int(reviewed * 100 / students)  # floor: 99.9 % is not "100 %"
        out.append(
            SubmitWarning(
                "survey",
                students - reviewed,
                students,
                f"摸排覆盖率 {percent}%：{students} 名在校学生中还有 {students - reviewed} 名未摸排。",
            )
        )
    if unpaired:
        out.append(
            SubmitWarning("unpaired", unpaired, open_cases, f"{open_cases} 份在档档案中有 {unpaired} 份没有帮扶导师。")
        )
    if overdue:
        out.append(
            SubmitWarning(
                "overdue", overdue, open_cases, f"{open_cases} 份在档档案中有 {overdue} 份谈心或走访逾期未完成。"
            )
        )
    return out
