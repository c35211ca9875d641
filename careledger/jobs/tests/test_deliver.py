"""``careledger deliver``: one run of deliver_due."""

from io import StringIO

from django.core.management import call_command

from careledger.notify import channels, services
from careledger.notify.models import Channel, ChannelKind


def test_deliver_sends_what_is_due_and_says_how_many(school, monkeypatch):
    sent = []
    monkeypatch.setattr(channels, "send", lambda channel, message: sent.append(message.pk))
    dept = school.frank.grants.get().department
    Channel.objects.create(department=dept, kind=ChannelKind.EMAIL, address="psych@example.edu.cn")
    message = services.notify(departments=[dept], kind="escalation", subject="待确认", body="请确认", link="/")
    out = StringIO()
    call_command("deliver", stdout=out)
    assert sent == [message.pk]
    assert "已发送 1 条通知" in out.getvalue()
    call_command("deliver", "--limit", "5", stdout=out)  # run again: nothing twice
    assert sent == [message.pk]
