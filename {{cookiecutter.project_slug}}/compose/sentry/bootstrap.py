"""Make the local GlitchTip ready for the app; safe to run at every start.

Creates, when missing, the account of GLITCHTIP_ADMIN_EMAIL / GLITCHTIP_ADMIN_PASSWORD, an
organisation and a project, and gives the project the key of GLITCHTIP_PROJECT_DSN: the DSN the
app reports to (SENTRY_DSN in .envs/.local/.django), so errors show up without any set-up.
Run inside GlitchTip's image by start-glitchtip, with `manage.py shell --command`.
"""

import os
import uuid
from urllib.parse import urlsplit

from apps.organizations_ext.models import Organization
from apps.projects.models import Project, ProjectKey
from django.contrib.auth import get_user_model

NAME = {{ cookiecutter.project_name | py_string }}
SLUG = "{{ cookiecutter.project_slug.replace('_', '-') }}"

dsn = urlsplit(os.environ["GLITCHTIP_PROJECT_DSN"])
public_key = uuid.UUID(dsn.username)
project_id = int(dsn.path.strip("/"))
email = os.environ["GLITCHTIP_ADMIN_EMAIL"]

users = get_user_model().objects
user = users.filter(email=email).first()
if user is None:
    user = users.create_superuser(email=email, password=os.environ["GLITCHTIP_ADMIN_PASSWORD"])
    print(f"bootstrap: created the account {email}")

organization, _ = Organization.objects.get_or_create(slug=SLUG, defaults={"name": NAME})
if not organization.users.filter(pk=user.pk).exists():
    organization.add_user(user)

project = Project.objects.filter(organization=organization, name=NAME).first()
if project is None:
    project = Project.objects.create(organization=organization, name=NAME, platform="python-django")
    print(f"bootstrap: created the project {NAME}")

if project.pk != project_id:
    print(
        f"bootstrap: the project's id is {project.pk}, not {project_id} as in GLITCHTIP_PROJECT_DSN; "
        "the DSN of this GlitchTip's database is shown in its project settings"
    )
elif not ProjectKey.objects.filter(public_key=public_key).exists():
    key = ProjectKey.objects.filter(project=project).first() or ProjectKey(project=project)
    key.public_key = public_key
    key.save()
    print("bootstrap: the project accepts GLITCHTIP_PROJECT_DSN")
