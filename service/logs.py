"""Configure logging: one logfmt line per event on stdout."""

from __future__ import annotations

import logging
import logging.config

from service.settings import Settings

FORMAT = "ts=%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d msg=%(message)s"


def configure_logging(settings: Settings) -> None:
    """Install the service's log format and level (idempotent)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"logfmt": {"format": FORMAT}},
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "formatter": "logfmt",
                }
            },
            "loggers": {
                "service": {"level": settings.log_level, "handlers": ["stdout"], "propagate": False}
            },
        }
    )
