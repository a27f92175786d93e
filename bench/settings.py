"""Vigie's own settings, plus the hello-world page the feed benchmark compares with."""

from vigie.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
