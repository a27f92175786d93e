from django.conf import settings
from django.urls import path

from vigie.payments import views

app_name = "payments"

urlpatterns = [
    path("payments/monetico/notify", views.monetico_notify, name="monetico_notify"),
    path("paiement/retour/", views.returned, name="returned"),
]

if settings.TEST_BANK:
    from vigie.payments import testbank

    urlpatterns += [
        path("banque-test/paiement.cgi", testbank.payment_page, name="test_bank"),
        path("banque-test/payer/", testbank.pay, name="test_bank_pay"),
    ]
