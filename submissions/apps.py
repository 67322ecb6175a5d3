from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "Submissions"

    def ready(self) -> None:
        from briefs.signals import tasks_edited
        from submissions import receivers

        tasks_edited.connect(receivers.rematch_pending_on_tasks_edited, dispatch_uid="rematch")
