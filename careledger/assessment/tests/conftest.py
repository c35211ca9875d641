import pytest

from careledger.assessment.tests import scenario


@pytest.fixture
def semester(school):
    """The hand-built semester of test_indicators.py (scenario.build)."""
    return scenario.build(school)


@pytest.fixture
def cadres(school, semester):
    """Help groups and their activities (scenario.add_cadres)."""
    return scenario.add_cadres(school, semester)
