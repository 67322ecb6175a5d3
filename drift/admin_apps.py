"""`django.contrib.admin` with DRIFT's own site (see `drift.admin_site`). Kept apart from
the site itself: an app config is imported before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class DriftAdminConfig(AdminConfig):
    default_site = "drift.admin_site.DriftAdminSite"
