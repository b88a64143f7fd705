from rest_framework import serializers


class CurrentUserSerializer(serializers.Serializer):
    """Who the session belongs to, for the frontend to greet them or offer to sign in."""

    authenticated = serializers.BooleanField()
    username = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    is_staff = serializers.BooleanField()
    # Django keeps the CSRF cookie out of reach of scripts (CSRF_COOKIE_HTTPONLY), so the token
    # travels here; the frontend sends it back in the X-CSRFToken header of unsafe requests.
    csrf_token = serializers.CharField()


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ServiceStatusSerializer(serializers.Serializer):
    """The report of /health/."""

    status = serializers.ChoiceField(choices=["ok", "error"])
    services = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='Service name -> "ok" or "error: <reason>"; for staff only.',
    )
