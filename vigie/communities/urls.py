from django.urls import path

from vigie.communities import views

app_name = "communities"

urlpatterns = [
    path("voisinage/", views.my_communities, name="mine"),
    path("voisinage/revenir/", views.rejoin, name="rejoin"),
    path("voisinage/demande/", views.request_neighbourhood, name="request"),
    path("quartiers/<int:community_id>/", views.community, name="community"),
    path("quartiers/<int:community_id>/voisins/", views.directory, name="directory"),
    path("quartiers/<int:community_id>/quitter/", views.leave, name="leave"),
    path("quartiers/<int:community_id>/reglages/", views.community_settings, name="settings"),
    path("equipe/quartiers/", views.team_neighbourhoods, name="team"),
    path("equipe/quartiers/nouveau/", views.team_new_neighbourhood, name="team_new"),
    path(
        "equipe/quartiers/demandes/<int:request_id>/refuser/",
        views.team_reject_request,
        name="team_reject",
    ),
]
