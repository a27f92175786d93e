from django.urls import path

from vigie.alerts import views

app_name = "alerts"

urlpatterns = [
    path("quartiers/<int:community_id>/alerte/", views.write, name="write"),
    path("quartiers/<int:community_id>/alertes/", views.community_alerts, name="list"),
    path("alertes/<int:alert_id>/", views.alert, name="alert"),
    path("alertes/<int:alert_id>/retirer/", views.withdraw, name="withdraw"),
    path("alertes/<int:alert_id>/cloturer/", views.close, name="close"),
    path("alertes/<int:alert_id>/rejoindre/", views.support, name="support"),
    path("equipe/alertes/<int:alert_id>/", views.team_alert, name="team_alert"),
]
