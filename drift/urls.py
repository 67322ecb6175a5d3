from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from drift.views import HealthView, ReadinessView

urlpatterns = [
    path("health", HealthView.as_view(), name="health"),
    path("healthz", ReadinessView.as_view(), name="healthz"),
    path("api/", include("accounts.urls")),
    path("api/", include("briefs.urls")),
    path("api/", include("submissions.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

handler400 = "drift.errors.handler400"
handler403 = "drift.errors.handler403"
handler404 = "drift.errors.handler404"
handler500 = "drift.errors.handler500"
