"""The JSON API of the Vue frontend (frontend/src/api.ts is its client).

Authentication is Django's own session: the frontend is served from the same origin as the API
(through the Vite dev server's proxy in development), so there are no tokens to store.
"""

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from {{ cookiecutter.project_slug }}.core.views import health_report

from .serializers import CredentialsSerializer, CurrentUserSerializer, ServiceStatusSerializer


def current_user(request: Request) -> Response:
    user = request.user
    return Response(
        CurrentUserSerializer(
            {
                "authenticated": user.is_authenticated,
                "username": user.get_username(),
                "email": getattr(user, "email", ""),
                "is_staff": user.is_staff,
                "csrf_token": get_token(request),
            }
        ).data
    )


class CurrentUserView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CurrentUserSerializer, summary="The user of this session")
    def get(self, request: Request) -> Response:
        return current_user(request)


class SessionView(APIView):
    """Sign in (POST) and out (DELETE) with Django's session."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=CredentialsSerializer, responses={200: CurrentUserSerializer, 400: None}, summary="Sign in"
    )
    def post(self, request: Request) -> Response:
        # DRF checks CSRF only on requests the session already authenticates; a sign-in form
        # needs the check too, or another site could sign a visitor into an account of its own.
        SessionAuthentication().enforce_csrf(request)
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # Django's own request: django-axes marks a lockout on it, which its middleware turns
        # into the 429 (a mark on DRF's wrapper would never reach the middleware).
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:
            return Response({"detail": "Wrong username or password."}, status=status.HTTP_400_BAD_REQUEST)
        login(request, user)
        return current_user(request)

    @extend_schema(request=None, responses=CurrentUserSerializer, summary="Sign out")
    def delete(self, request: Request) -> Response:
        logout(request)
        return current_user(request)


class ServiceStatusView(APIView):
    """The report of /health/, for the frontend: same checks, same answer, same status code."""

    # Public, like /health/: signed-out pages ask too; the services are listed for staff only.
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ServiceStatusSerializer, 503: ServiceStatusSerializer}, summary="Service status"
    )
    def get(self, request: Request) -> Response:
        body, status_code = health_report(request._request)
        return Response(body, status=status_code)
