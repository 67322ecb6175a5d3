from django.urls import path

from briefs import views

urlpatterns = [
    path("briefs", views.BriefListView.as_view(), name="brief-list"),
    path("briefs/<uuid:pk>", views.BriefDetailView.as_view(), name="brief-detail"),
    path("briefs/<uuid:pk>/tasks", views.BriefTaskListView.as_view(), name="brief-tasks"),
    path("briefs/<uuid:pk>/metrics", views.BriefMetricsView.as_view(), name="brief-metrics"),
    path("tasks/<uuid:pk>", views.TaskDetailView.as_view(), name="task-detail"),
]
