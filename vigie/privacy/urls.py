from django.urls import URLPattern, path

from vigie.privacy import views

app_name = "privacy"

urlpatterns: list[URLPattern] = [
    path("compte/donnees/", views.my_data, name="my_data"),
    path(
        "compte/donnees/copies/<int:export_id>/telecharger/",
        views.download_export,
        name="download_export",
    ),
    path(
        "compte/donnees/consentements/<str:kind>/retirer/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
    path("compte/supprimer/", views.erase_account, name="erase_account"),
    path("compte/supprime/", views.account_erased, name="account_erased"),
    path("confidentialite/", views.privacy_policy, name="privacy_policy"),
    path(
        "equipe/moderation/membres/<int:user_id>/restriction/",
        views.restrict_processing,
        name="restrict_processing",
    ),
    path(
        "equipe/moderation/membres/<int:user_id>/restriction/lever/",
        views.lift_restriction,
        name="lift_restriction",
    ),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("equipe/violations/", views.team_breaches, name="team_breaches"),
    path("equipe/violations/nouvelle/", views.team_new_breach, name="team_new_breach"),
    path("equipe/violations/<int:breach_id>/", views.team_breach, name="team_breach"),
]
