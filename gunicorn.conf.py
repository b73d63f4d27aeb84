"""Gunicorn settings: see service/gunicorn_conf.py for each value and why."""

from service.gunicorn_conf import *  # noqa: F403
