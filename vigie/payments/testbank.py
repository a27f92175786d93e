"""A local stand-in of the bank's hosted payment page: for the demo and the tests only.

It speaks the real protocol: it checks the form's seal with its own copy of
the key, shows a payment page (no card is asked: a test bank takes none
either), then, like the bank, posts a sealed notification to the merchant's
notification address, server to server, before sending the buyer back.
Served only with VIGIE_TEST_BANK, which production refuses.
"""

from __future__ import annotations

import base64
import contextlib
import json

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vigie.lib import outbound
from vigie.payments import monetico

# The fields the merchant's form carries, which the bank's page keeps as it goes.
FORM_FIELDS = (
    "TPE", "contexte_commande", "date", "lgue", "mail", "montant", "reference", "societe",
    "texte-libre", "url_retour_err", "url_retour_ok", "version", "MAC",
)  # fmt: skip


def _form(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in FORM_FIELDS if name in request.POST}


@csrf_exempt  # posted from the merchant's page, as to the real bank
@require_POST
def payment_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not monetico.seal_is_valid(form, settings.MONETICO_KEY):
        return HttpResponseBadRequest("Test bank: the form's seal is not valid.")
    return render(request, "payments/test_bank.html", {"form": form})


def notification_fields(form: dict[str, str], *, accepted: bool) -> dict[str, str]:
    """What the bank posts back about a payment, sealed as the bank seals it."""
    authentication = base64.b64encode(
        json.dumps({"protocol": "3DSecure", "version": "2.2.0", "status": "authenticated"}).encode()
    ).decode()
    fields = {
        "TPE": form.get("TPE", ""),
        "date": monetico.bank_date(timezone.now()),
        "montant": form.get("montant", ""),
        "reference": form.get("reference", ""),
        "texte-libre": form.get("texte-libre", ""),
        "code-retour": "payetest" if accepted else "Annulation",
        "cvx": "oui",
        "vld": "1230",
        "brand": "VI",
        "status3ds": "1",
        "numauto": "010101" if accepted else "",
        "motifrefus": "" if accepted else "Refus",
        "originecb": "FRA",
        "bincb": "",
        "hpancb": "",
        "ipclient": "127.0.0.1",
        "originetr": "FRA",
        "modepaiement": "CB",
        "authentification": authentication,
    }
    fields["MAC"] = monetico.seal(fields, settings.MONETICO_KEY)
    return fields


@csrf_exempt
@require_POST
def pay(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not monetico.seal_is_valid(form, settings.MONETICO_KEY):
        return HttpResponseBadRequest("Test bank: the form's seal is not valid.")
    accepted = request.POST.get("decision") == "pay"
    # Server to server first, as the bank does; the buyer's return comes after.
    # Unreachable, the order simply stays waiting (the real bank would retry).
    # A redirect is not followed either (vigie.lib.outbound): the order stays waiting.
    with contextlib.suppress(requests.RequestException), outbound.session() as session:
        session.post(
            settings.MONETICO_NOTIFY_URL,
            data=notification_fields(form, accepted=accepted),
            timeout=15,
        )
    return redirect(form["url_retour_ok"] if accepted else form["url_retour_err"])
