"""Organizations and users, keyed by the identity provider's ids (`org_2…`, `user_2…`)."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PM = "pm", "PM"
    DEV = "dev", "Developer"
    DESIGNER = "designer", "Designer"


class Organization(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or self.id


def new_local_user_id() -> str:
    """Ids for users created here rather than by the identity provider (admins, seeds)."""
    return f"user_local_{uuid.uuid4().hex[:20]}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, username: str | None = None, password: str | None = None, **fields: object
    ) -> "User":
        user = self.model(username=username or None, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, password: str | None = None, **fields: object
    ) -> "User":
        fields.setdefault("role", Role.PM)
        return self.create_user(username, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.CharField(primary_key=True, max_length=64, default=new_local_user_id)
    # Only people who log in with a password (the admin, local tokens) have a username.
    username = models.CharField(max_length=150, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DEV)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return self.name or self.username or self.id

    @property
    def is_pm(self) -> bool:
        return self.role == Role.PM
