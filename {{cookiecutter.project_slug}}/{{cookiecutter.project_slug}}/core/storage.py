"""The production storage of static files: whitenoise's, with each file's URL looked up once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed files, as whitenoise stores them; the static tag asks each name once.

    Every static tag asks the manifest for the hashed name again: 15 µs per file per page in
    the benchmark (docs/performance.md), for an answer that cannot change while the process runs,
    since the manifest is read when the storage is made. The URLs are remembered per process and
    forgotten when collectstatic writes a new manifest or a test changes a setting. A name that is
    not in the manifest still raises every time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}
        setting_changed.connect(self._forget_urls)

    def url(self, name: str | None, force: bool = False) -> str:
        # Under DEBUG (and with force) the manifest storage answers differently: not remembered.
        if force or settings.DEBUG or name is None:
            return super().url(name, force)
        if name not in self._urls:
            self._urls[name] = super().url(name)
        return self._urls[name]

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, str, bool]]:
        self._forget_urls()
        yield from super().post_process(*args, **kwargs)
        self._forget_urls()

    def _forget_urls(self, **kwargs: Any) -> None:
        self._urls.clear()
