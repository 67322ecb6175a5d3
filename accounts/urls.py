from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/session", views.SessionView.as_view(), name="auth-session"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
]
