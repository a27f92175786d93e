from django.urls import path

from vigie.verification import views

app_name = "verification"

urlpatterns = [
    path("activer/", views.activate, name="activate"),
    path("activer/nouvelle-lettre/", views.request_letter, name="request_letter"),
    path("compte/adresse/", views.move, name="move"),
    path("equipe/adresses/", views.team_addresses, name="team_addresses"),
]
