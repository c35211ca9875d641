"""Files for the evidence tests: a screening or office list as CSV bytes."""

from careledger.evidence import scales


def upi_row(student_no: str, *yes: int) -> list[str]:
    return [student_no] + ["是" if i in yes else "否" for i in range(1, scales.UPI_ITEMS + 1)]


def screening_csv(scale: str, rows: list[list[str]], *, encoding: str = "utf-8") -> bytes:
    header = ["学号"] + [str(i) for i in range(1, scales.ITEM_COUNT[scale] + 1)]
    return "\n".join(",".join(r) for r in [header, *rows]).encode(encoding)


def phq_row(student_no: str, *values: int) -> list[str]:
    return [student_no] + [str(v) for v in values]


def list_csv(header: list[str], rows: list[list[str]], *, encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(r) for r in [header, *rows]).encode(encoding)
