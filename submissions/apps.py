from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "Submissions"

    def ready(self) -> None:
        from briefs.signals import tasks_edited
        from submissions import receivers

        # Profiles first: the re-match that follows reads them.
        tasks_edited.connect(receivers.rebuild_profiles_on_tasks_edited, dispatch_uid="profiles")
        tasks_edited.connect(receivers.rematch_pending_on_tasks_edited, dispatch_uid="rematch")
