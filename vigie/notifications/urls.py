from django.urls import path

from vigie.notifications import views

app_name = "notifications"

urlpatterns = [
    path("boite/", views.inbox, name="inbox"),
    path("boite/non-lues/", views.unread_badge, name="unread"),
    path("boite/tout-lu/", views.mark_read, name="mark_read"),
    path("compte/notifications/", views.preferences, name="preferences"),
    path("compte/telephone/", views.set_phone, name="set_phone"),
    path("compte/telephone/code/", views.verify_phone, name="verify_phone"),
    path("compte/telephone/supprimer/", views.remove_phone, name="remove_phone"),
    path("sw.js", views.service_worker, name="service_worker"),
]
