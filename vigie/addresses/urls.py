from django.urls import path

from vigie.addresses import views

app_name = "addresses"

urlpatterns = [
    path("adresses/suggestions/", views.suggestions, name="suggestions"),
]
