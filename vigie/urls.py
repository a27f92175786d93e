from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from vigie import views
from vigie.api import views as api_views
from vigie.api.api import api
from vigie.operations.views import healthz

# Django tries the patterns in order: the most asked-for come first.
urlpatterns = [
    # The API's reference is a page of the site, before the API's own routes.
    path("api/v1/docs", api_views.reference, name="api_reference"),
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("", include("vigie.communities.urls")),
    path("", include("vigie.posts.urls")),
    path("", include("vigie.alerts.urls")),
    path("", include("vigie.notifications.urls")),
    path("", include("vigie.moderation.urls")),
    path("", include("vigie.municipalities.urls")),
    path("", include("vigie.payments.urls")),
    path("", include("vigie.privacy.urls")),
    path("", include("vigie.accounts.urls")),
    path("", include("vigie.addresses.urls")),
    path("", include("vigie.verification.urls")),
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("hors-ligne/", views.offline, name="offline"),
    path("langue/", set_language, name="set_language"),
    path("equipe/", views.team_home, name="team_home"),
    path("equipe/admin/", admin.site.urls),
]

handler400 = "vigie.errors.bad_request"
handler403 = "vigie.errors.permission_denied"
handler404 = "vigie.errors.page_not_found"
handler500 = "vigie.errors.server_error"
