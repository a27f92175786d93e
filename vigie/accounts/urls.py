from django.urls import path

from vigie.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.sign_up, name="sign_up"),
    path("inscription/envoyee/", views.sign_up_done, name="sign_up_done"),
    path("inscription/confirmer/", views.confirm_email_page, name="confirm_email_page"),
    path("connexion/", views.login_view, name="login"),
    path("connexion/second-facteur/", views.login_second_factor, name="login_second_factor"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe-oublie/nouveau/", views.password_reset_set, name="password_reset_set"),
    path("compte/", views.account, name="account"),
    path("compte/confirmation/", views.resend_confirmation, name="resend_confirmation"),
    path("compte/mot-de-passe/", views.password_change, name="password_change"),
    path("compte/email/", views.email_change, name="email_change"),
    path(
        "compte/email/confirmer/", views.confirm_email_change_page, name="confirm_email_change_page"
    ),
    path("compte/sessions/", views.sessions, name="sessions"),
    path("compte/jetons/", views.tokens, name="tokens"),
    path("compte/jetons/<int:token_id>/revoquer/", views.revoke_token, name="revoke_token"),
    path("compte/double-authentification/", views.two_factor, name="two_factor"),
    path(
        "compte/double-authentification/activer/", views.two_factor_enrol, name="two_factor_enrol"
    ),
    path("compte/double-authentification/qr.svg", views.two_factor_qr_code, name="two_factor_qr"),
    path("compte/double-authentification/codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "compte/double-authentification/retirer/", views.two_factor_remove, name="two_factor_remove"
    ),
    path(
        "compte/double-authentification/requise/",
        views.second_factor_required,
        name="second_factor_required",
    ),
    # One-time links sent by e-mail; see accounts/links.py.
    path("lien/confirmer-email/<str:token>/", views.confirm_email_link, name="confirm_email"),
    path(
        "lien/mot-de-passe/<str:uid>/<str:token>/",
        views.password_reset_link,
        name="password_reset_link",
    ),
    path(
        "lien/nouvel-email/<str:token>/",
        views.confirm_email_change_link,
        name="confirm_email_change",
    ),
]
