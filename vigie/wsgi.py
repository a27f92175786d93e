import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from vigie.lib.heap import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
application = get_wsgi_application()

# Loading the URLconf imports every view and builds every API operation's models
# (about 1.3 s on the benchmark machine). Done here, as granian starts a worker and
# before it accepts a connection, rather than in its first request, with every
# request that arrives meanwhile queued behind it: a restart under load showed the
# whole load run's slowest 1 % in its first ten seconds (docs/performance.md).
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect

# Once the URLconf is loaded: it lives as long as the worker (vigie/lib/heap.py).
freeze_loaded_objects()
