from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "Briefs"

    def ready(self) -> None:
        from accounts.models import User
        from briefs.models import Brief
        from briefs.receivers import forget_stamp_of_deleted_brief, touch_briefs_of_deleted_user

        pre_delete.connect(touch_briefs_of_deleted_user, sender=User)
        post_delete.connect(forget_stamp_of_deleted_brief, sender=Brief)
