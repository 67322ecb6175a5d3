from rest_framework import serializers

from accounts.models import Role


class SessionOutput(serializers.Serializer):
    userId = serializers.CharField(source="pk")
    orgId = serializers.CharField(source="organization_id", allow_null=True)
    email = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    avatarUrl = serializers.CharField(source="avatar_url")


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


class LoginOutput(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Seconds.")
