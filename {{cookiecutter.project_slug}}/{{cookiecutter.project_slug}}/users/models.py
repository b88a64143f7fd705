from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user, custom from the first migration so that it can grow without pain.

    One `name` field replaces first/last name, which do not fit every culture's names.
    """

    name = models.CharField("name", max_length=255, blank=True)
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name or self.username
