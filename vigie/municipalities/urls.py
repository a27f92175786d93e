from django.urls import path

from vigie.municipalities import views

app_name = "municipalities"

urlpatterns = [
    path("mairie/", views.home, name="home"),
    path("mairie/<int:town_hall_id>/", views.console, name="console"),
    path("mairie/<int:town_hall_id>/messages/", views.official_messages, name="messages"),
    path("mairie/<int:town_hall_id>/habitants/", views.residents, name="residents"),
    path(
        "mairie/<int:town_hall_id>/habitants/<int:address_id>/verifier/",
        views.check_residence,
        name="check_residence",
    ),
    path("mairie/<int:town_hall_id>/roles/<int:membership_id>/", views.set_role, name="set_role"),
    path("mairie/<int:town_hall_id>/abonnement/", views.subscription, name="subscription"),
    path(
        "mairie/<int:town_hall_id>/abonnement/resilier/",
        views.cancel_subscription,
        name="cancel_subscription",
    ),
    path("mairie/<int:town_hall_id>/factures/<str:number>.pdf", views.invoice, name="invoice"),
    path("mairie/<int:town_hall_id>/export.csv", views.export, name="export"),
    path("equipe/mairies/", views.team_town_halls, name="team_town_halls"),
    path("equipe/mairies/<int:town_hall_id>/", views.team_town_hall, name="team_town_hall"),
    path(
        "equipe/mairies/<int:town_hall_id>/agents/<int:agent_id>/retirer/",
        views.team_remove_agent,
        name="team_remove_agent",
    ),
]
