from datetime import date

import pytest

from careledger.roster import rules


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("360426199101010071", True),  # domain-facts §4.1, male
        ("120103198806018241", True),  # domain-facts §4.1, female
        ("36042619910101007X", False),  # wrong check character
        ("360426199102300071", False),  # 30 February
        ("36042619910101007", False),  # 17 characters
        ("3604261991010100711", False),  # 19 characters
        ("36042619910101A071", False),
        ("", False),
    ],
)
def test_id_number_checksum_gb11643(value, valid):
    assert rules.id_number_valid(value) is valid


def test_id_number_check_character_can_be_x_and_lowercase_is_accepted():
    first17 = next(
        f"11010519491231{n:03d}" for n in range(1, 999) if rules.id_number_check_char(f"11010519491231{n:03d}") == "X"
    )
    assert rules.id_number_valid(first17 + "X")
    assert rules.id_number_valid(first17 + "x")


def test_id_number_gender_and_birth_date():
    assert rules.id_number_gender("360426199101010071") == "M"
    assert rules.id_number_gender("120103198806018241") == "F"
    assert rules.id_number_birth_date("120103198806018241") == date(1988, 6, 1)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13812345678", True),
        ("+8613812345678", True),
        ("12812345678", False),
        ("1381234567", False),
        ("0797-8393000", True),
        ("abc", False),
    ],
)
def test_phone(value, valid):
    assert rules.phone_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "grade"), [("2023", "2023"), ("2023级", "2023"), (" 2024级 ", "2024"), ("23级", None), ("二零二三", None)]
)
def test_normalize_grade(value, grade):
    assert rules.normalize_grade(value) == grade


@pytest.mark.parametrize(
    ("name", "initials"), [("张三丰", "zsf"), ("李四", "ls"), ("欧阳娜娜", "oynn"), ("Anna", "anna")]
)
def test_name_initials(name, initials):
    assert rules.name_initials(name) == initials


def test_masks():
    assert rules.mask_phone("13812345678") == "138****5678"
    assert rules.mask_id_number("360426199101010071") == "360***********0071"


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (None, date(2026, 9, 1), None),
        (date(2005, 9, 1), date(2026, 9, 1), 21),  # the birthday itself
        (date(2005, 9, 2), date(2026, 9, 1), 20),  # the day before it
        (date(2004, 2, 29), date(2026, 2, 28), 21),  # a leap-day birth before 1 March
        (date(2004, 2, 29), date(2026, 3, 1), 22),
    ],
)
def test_age_on(born, day, age):
    assert rules.age_on(born, day) == age
