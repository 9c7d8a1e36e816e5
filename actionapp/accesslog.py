"""Access logs without capability tokens: the links in emails and on thank-you pages."""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

# Every route with a <token> in its path (a test checks this against the URL map): whoever
# reads the log must not be able to confirm, print, count or read someone's letters.
_TOKEN_IN_PATH = re.compile(
    r"(/confirm/|/u/|/r/|/actions/[^/\s?#]+/(?:thanks|print|posted)/)[^/\s?#\"]+", re.IGNORECASE
)
MASK = "[token]"


def mask_tokens(text: str) -> str:
    """Return text (a path, request line or log line) with capability tokens replaced."""
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + MASK, text)


class MaskTokensFilter(logging.Filter):
    """Mask tokens in a logger's records: werkzeug's request log (``flask run``), and the app's
    own log, whose "Exception on /confirm/<token> [POST]" names the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and string arguments; always keep the record."""
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_filter(*names: str) -> None:
    """Attach the filter, once per process, to werkzeug's request log and the named loggers."""
    for name in ("werkzeug", *names):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokensFilter) for f in logger.filters):
            logger.addFilter(MaskTokensFilter())


class AccessLogger(GunicornLogger):
    """Gunicorn's logger, with tokens masked in every access-log field (request line, path...)."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        """Return gunicorn's log atoms with capability tokens masked."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask_tokens(v) if isinstance(v, str) else v for k, v in atoms.items()}
