"""The only way WeasyPrint may load anything: the app's own print assets and data: URLs."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchRefusedError(ValueError):
    """A document asked for something outside the print assets."""


class PrintAssetFetcher(URLFetcher):
    """Serve files under one folder and data: URLs; refuse everything else.

    No network (http, https, ftp), no file:// outside the folder (symlinks and ../ resolved
    first), no redirects: the fetcher never opens a connection at all.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Return an asset or a data: URL's content; raise FetchRefusedError for anything else."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            # Only data: URLs get here; DataHandler decodes them without opening anything.
            response = DataHandler().data_open(Request(url))  # noqa: S310
            return URLFetcherResponse(url, response.read(), dict(response.headers))
        if scheme == "file":
            path = self.asset_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        raise FetchRefusedError(f"print documents may not load {url[:200]!r}")

    def asset_path(self, url: str) -> Path | None:
        """Return the file a file:// URL names if it lies inside the asset folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def open(self, url, data=None, timeout=None):
        """Never let urllib open anything: route every request through fetch()."""
        return self.fetch(url.full_url if isinstance(url, Request) else url)
