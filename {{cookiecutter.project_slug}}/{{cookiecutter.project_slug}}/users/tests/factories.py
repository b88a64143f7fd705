import factory
from factory.django import DjangoModelFactory

from {{ cookiecutter.project_slug }}.users.models import User


class UserFactory(DjangoModelFactory[User]):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = User
        django_get_or_create = ("username",)
