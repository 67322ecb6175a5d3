from django.apps import AppConfig
from django.db.models.signals import pre_delete


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "Briefs"

    def ready(self) -> None:
        from accounts.models import User
        from briefs.receivers import touch_briefs_of_deleted_user

        pre_delete.connect(touch_briefs_of_deleted_user, sender=User)
