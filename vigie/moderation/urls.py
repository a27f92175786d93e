from django.urls import path

from vigie.moderation import views

app_name = "moderation"

urlpatterns = [
    path("conditions/", views.terms_page, name="terms"),
    path("conditions/version-<int:version>/", views.terms_page, name="terms_version"),
    path("conditions/accepter/", views.accept_terms, name="accept_terms"),
    path("signaler/<str:target_type>/<int:target_id>/", views.report, name="report"),
    path("compte/signalements/", views.my_reports, name="my_reports"),
    path("compte/decisions/", views.my_decisions, name="my_decisions"),
    path("compte/decisions/<int:decision_id>/recours/", views.appeal, name="appeal"),
    # Under /lien/, which the proxy never logs: the path carries the link's signed token.
    path("lien/recours/<str:token>/", views.appeal_by_link, name="appeal_by_link"),
    path("quartiers/<int:community_id>/moderation/", views.community_summary, name="summary"),
    path("equipe/moderation/", views.team_queue, name="team_queue"),
    path("equipe/moderation/tableau/", views.team_dashboard, name="team_dashboard"),
    path("equipe/moderation/signalements/<int:report_id>/", views.team_report, name="team_report"),
    path("equipe/moderation/membres/<int:user_id>/", views.team_member, name="team_member"),
    path(
        "equipe/moderation/membres/<int:user_id>/sessions/",
        views.team_end_member_sessions,
        name="team_end_member_sessions",
    ),
    path(
        "equipe/moderation/decisions/<int:decision_id>/",
        views.team_decision,
        name="team_decision",
    ),
    path("equipe/moderation/recours/<int:appeal_id>/", views.team_appeal, name="team_appeal"),
]
