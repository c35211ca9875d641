"""bench/screening_import.py at small scale: a UPI file with N urgent answers raises N urgent escalations,
each exactly once (re-importing the same file raises nothing new), and reaches the psych centre."""

from careledger.escalations.models import Escalation
from careledger.evidence.importers import screening_import
from careledger.notify.models import Delivery
from careledger.web.demo_data import upi_screening_rows
from tests.support.testing import make_semester, make_student


def test_urgent_answers_escalate_exactly_once(school):
    semester = make_semester(school)
    for i in range(40):
        make_student(f"2023010199{i:02d}", f"测试{i}", school.c2023_1)
    nos = [f"2023010199{i:02d}" for i in range(40)]
    data = "\n".join(",".join(r) for r in upi_screening_rows(nos, urgent=3, seed=7)).encode("gb18030")
    first = screening_import(actor=school.frank, data=data, filename="upi.csv", scale="upi", semester=semester)
    assert (first.scored, first.urgent) == (40, 3)
    assert Escalation.objects.filter(severity="urgent", case__isnull=True).count() == 3
    again = screening_import(actor=school.frank, data=data, filename="upi.csv", scale="upi", semester=semester)
    assert (again.scored, again.urgent) == (40, 0)
    assert Escalation.objects.count() == 3
    # Each reached the psych centre (frank) and the counselor of 2023级 (carol) once.
    assert Delivery.objects.filter(user=school.frank, message__kind="escalation").count() == 3
    assert Delivery.objects.filter(user=school.carol, message__kind="escalation").count() == 3
