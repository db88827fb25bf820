"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.runtime import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()
tune_garbage_collector()
