import os

from django.core.wsgi import get_wsgi_application

from vigie.lib.heap import settle_worker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
application = get_wsgi_application()

# Every view and API operation loaded, and set aside from the garbage collector, before
# granian hands this worker its first connection (vigie/lib/heap.py).
settle_worker()
