"""SEC-51: outbound webhooks go only to public addresses over https (a setting may allow named intranet
hosts); the address is resolved and checked again at send time."""

import socket

import pytest
from rest_framework.test import APIClient

from careledger.notify import channels
from careledger.notify.models import Channel, ChannelKind, Message

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def no_trusted_hosts(settings):
    settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS = []
    return settings


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:6379/send?key=k",
        "https://127.0.0.1:8443/send?key=k",
        "https://localhost/send?key=k",
        "https://10.1.2.3/send?key=k",
        "https://192.168.0.5/robot/send?access_token=t",
        "https://172.16.0.1/send",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/send",
        "https://[fd00::1]/send",
        "https://0.0.0.0/send",
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
    ],
)
def test_sec_51_loopback_private_link_local_or_http_webhooks_are_400(school, no_trusted_hosts, address):
    client = APIClient()
    client.force_authenticate(school.erin)
    response = client.post("/api/v1/channels/", {"kind": "wecom", "address": address}, format="json")
    assert response.status_code == 400
    assert "address" in response.json()
    assert not Channel.objects.exists()


def test_sec_51_a_named_intranet_host_may_be_allowed(school, settings):
    settings.NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["relay.school.edu.cn"]
    client = APIClient()
    client.force_authenticate(school.erin)
    address = "https://relay.school.edu.cn/robot/send?access_token=t"
    assert client.post("/api/v1/channels/", {"kind": "dingtalk", "address": address}, format="json").status_code == 201


def test_sec_51_a_name_resolving_to_the_loopback_is_refused_at_send(school, no_trusted_hosts, monkeypatch):
    def fake(host, *args, **kwargs):
        if host == "robot.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
        return REAL_GETADDRINFO(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    channel = Channel(user=school.erin, kind=ChannelKind.WECOM, address="https://robot.example.com/send?key=k")
    message = Message(subject="提醒", body="", link="/cases/1/")
    with pytest.raises(channels.DeliveryError) as caught:
        channels.send(channel, message)
    assert "refused" in str(caught.value)
    assert "key=k" not in str(caught.value)
