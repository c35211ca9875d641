from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "careledger.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from careledger.jobs import handlers, services, tasks

        services.connect(run_job=tasks.run_job, handlers=handlers.HANDLERS)
