from django.urls import path

from submissions import views

urlpatterns = [
    path("submissions", views.SubmissionCreateView.as_view(), name="submission-list"),
    path("submissions/<uuid:pk>", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path(
        "briefs/<uuid:pk>/submissions",
        views.BriefSubmissionListView.as_view(),
        name="brief-submissions",
    ),
]
