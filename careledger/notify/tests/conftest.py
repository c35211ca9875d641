import pytest

from careledger.notify.tests import receiver as fake


@pytest.fixture(autouse=True)
def _loopback_relay_allowed(settings):
    """The fake robots listen on the loopback: named as a trusted host, as a school names its relay (SEC-51)."""
    settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


@pytest.fixture
def robots():
    """The fake 企业微信/钉钉 endpoint on 127.0.0.1 (a random port), stopped after the test."""
    receiver = fake.Receiver(dingtalk_secret="SECtest-secret-0123456789")
    server = fake.start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def notify_urls(settings, monkeypatch):
    """The inbox URLs and their policy rules, until the lead adds them to careledger/urls.py and policy.RULES."""
    from careledger.accounts import policy

    settings.ROOT_URLCONF = "careledger.notify.tests.urls"
    rules = {
        "notify:inbox": policy.Rule(read=policy.ANY_ROLE),
        "notify:bell": policy.Rule(read=policy.ANY_ROLE),
        "notify:mark-read": policy.Rule(write=policy.ANY_ROLE),
    }
    for name, rule in rules.items():
        if name not in policy.RULES:
            monkeypatch.setitem(policy.RULES, name, rule)
