"""Log records as JSON lines, each with its request id, and no credentials in them.

`RedactSecretsFilter` scrubs bearer tokens, `token=` query parameters and anything
shaped like a JWT from the message (and its arguments) before any handler formats it,
so a token in a URL, a header echoed into an error or an exception text never reaches
the log.
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from drift.middleware import request_id_var

_SECRETS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:access_)?token=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": getattr(record, "request_id", None) or request_id_var.get(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def redact_daphne_access_log() -> None:
    """Daphne's access log (on by default) writes each request's path with its query
    string, which for `/ws?token=` is a credential: redact it there too."""
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:  # served by another server
        return
    write_entry = AccessLogGenerator.write_entry
    if getattr(write_entry, "redacts", False):
        return

    def redacting_write_entry(
        self: Any, host: Any, date: Any, request: str, *args: Any, **kwargs: Any
    ) -> None:
        write_entry(self, host, date, redact(request), *args, **kwargs)

    redacting_write_entry.redacts = True  # type: ignore[attr-defined]
    AccessLogGenerator.write_entry = redacting_write_entry
