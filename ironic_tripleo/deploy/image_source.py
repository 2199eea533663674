"""Where images come from: ``file://``, ``http(s)://``, and Glance through Ironic.

A source copies the image into a local path (the cache's temporary file); it does not
verify it: the cache does, before anything is published or written.
"""

from __future__ import annotations

import abc
import logging
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import requests

from ironic_tripleo.deploy import instance
from ironic_tripleo.exception import ImageSourceError

LOG = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class ImageSource(abc.ABC):
    """One image reference (``href``) that can be copied to a local file."""

    def __init__(self, href: str) -> None:
        self.href = href

    @abc.abstractmethod
    def fetch(self, dest: Path) -> None:
        """Copy the image into ``dest`` (created or truncated).

        :raises ImageSourceError: naming the image and the cause.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.href!r})"


class FileSource(ImageSource):
    """``file:///abs/path`` on the conductor host."""

    def path(self) -> Path:
        return Path(unquote(urlparse(self.href).path))

    def fetch(self, dest: Path) -> None:
        try:
            with open(self.path(), "rb") as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
        except OSError as exc:
            raise ImageSourceError(image=self.href, reason=str(exc)) from exc


class HTTPSource(ImageSource):
    """``http(s)://`` URL, streamed; ``timeout`` bounds each wait for data."""

    def __init__(self, href: str, timeout: float = 60.0,
                 session: requests.Session | None = None) -> None:
        super().__init__(href)
        self.timeout = timeout
        self.session = session

    def fetch(self, dest: Path) -> None:
        session = self.session or requests.Session()
        try:
            with session.get(self.href, stream=True, timeout=self.timeout) as response:
                if response.status_code != 200:
                    raise ImageSourceError(image=self.href,
                                           reason=f"HTTP {response.status_code}")
                with open(dest, "wb") as out:
                    for block in response.iter_content(CHUNK):
                        out.write(block)
        except (requests.RequestException, OSError) as exc:
            raise ImageSourceError(image=self.href, reason=str(exc)) from exc
        finally:
            if self.session is None:
                session.close()


class GlanceSource(ImageSource):
    """A Glance image (uuid or ``glance://``) through Ironic's image service.

    :param service: an ``ironic.common.image_service`` service (``show(href)``,
        ``download(href, fileobj)``), built by the deploy interface with the task's
        context.
    """

    def __init__(self, href: str, service: Any) -> None:
        super().__init__(href)
        self.service = service

    def checksum_fields(self) -> dict[str, Any]:
        """Return the checksum fields Glance recorded for the image, named as in
        instance_info (``image_os_hash_algo``, ``image_os_hash_value``,
        ``image_checksum``; None where Glance has none).

        :raises ImageSourceError: Glance cannot show it (unknown, not active, not
            visible, unreachable), naming the image and the cause.
        """
        try:
            image = self.service.show(self.href)
        except Exception as exc:  # noqa: BLE001 - any image service failure is the source's
            raise ImageSourceError(image=self.href, reason=str(exc)) from exc
        return instance.glance_checksum_fields(image)

    def fetch(self, dest: Path) -> None:
        try:
            with open(dest, "wb") as out:
                self.service.download(self.href, out)
        except Exception as exc:  # noqa: BLE001 - any image service failure is the source's
            raise ImageSourceError(image=self.href, reason=str(exc)) from exc


def source_for(href: str, glance_service: Any = None, http_timeout: float = 60.0) -> ImageSource:
    """Return the source for ``href``.

    :param glance_service: needed for Glance references only.
    :raises ImageSourceError: an unknown scheme, or Glance without a service.
    """
    scheme = urlparse(href).scheme.lower()
    if scheme == "file":
        return FileSource(href)
    if scheme in ("http", "https"):
        return HTTPSource(href, http_timeout)
    if scheme in ("", "glance"):
        if glance_service is None:
            raise ImageSourceError(image=href, reason="a Glance image needs Ironic's image "
                                                      "service (no glance configured?)")
        return GlanceSource(href, glance_service)
    raise ImageSourceError(image=href, reason=f"scheme {scheme!r} is not supported; use "
                                              "file://, http(s):// or a Glance image")
