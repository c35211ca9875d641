from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "careledger.home"
    verbose_name = "首页"
