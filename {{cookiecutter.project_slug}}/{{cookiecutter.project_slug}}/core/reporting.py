"""What error reports may show: Django's filter, plus the passwords inside service URLs.

Django hides settings whose names look secret (SECRET_KEY, DATABASES' PASSWORD...), but every
service here is configured by a URL (DATABASE_URL and the others), and a name
ending in _URL says nothing. This filter masks the user information of any URL in a setting or
in the request's environment, wherever it sits: a string, a list, a dict.
"""

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host or scheme://token@host: everything between :// and the last @
# before the host is a credential.
CREDENTIALS_IN_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


class CredentialHidingFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        # Exactly str: a lazy object (the CSRF token in request.META) passes isinstance() too,
        # and must stay unevaluated.
        if type(cleansed) is str:
            return CREDENTIALS_IN_URL.sub(rf"\g<scheme>{self.cleansed_substitute}@", cleansed)
        return cleansed
