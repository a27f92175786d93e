"""The bank's confirmation endpoint, and the buyer's return page (which changes nothing)."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from vigie.lib.security_log import log_security_event
from vigie.payments import access, actions, monetico

logger = logging.getLogger(__name__)


@csrf_exempt  # the bank calls, server to server: the seal is the proof
@require_POST
def monetico_notify(request: HttpRequest) -> HttpResponse:
    """POST /payments/monetico/notify: answers exactly version=2, cdr=0 or cdr=1, always.

    A body Django refuses (too big, too many fields or files, a broken multipart,
    a form in another charset than UTF-8), or anything that fails on the way, is
    answered cdr=1: the bank will call again, and nothing changed.  Only the
    latter is an error of ours; a refused body is a caller's, in the security log.
    """
    try:
        fields = {name: request.POST.get(name, "") for name in request.POST}
        receipt = actions.do_receive_notification(fields)
    except (SuspiciousOperation, BadRequest, MultiPartParserError):
        receipt = actions.Receipt(body=monetico.RECEIPT_INVALID, outcome="refused_body")
    except Exception:
        logger.exception("bank notification failed")
        receipt = actions.Receipt(body=monetico.RECEIPT_INVALID, outcome="error")
    if receipt.outcome not in ("paid", "refused", "repeat"):
        log_security_event("bank_notification", outcome=receipt.outcome, request=request)
    return HttpResponse(receipt.body, content_type="text/plain; charset=utf-8")


@require_GET
def returned(request: HttpRequest) -> HttpResponse:
    """Where the bank sends the buyer back: it shows the order's state, as the bank told it.

    The return proves nothing (anyone can open this address): only the bank's
    own notification marks an order paid.
    """
    order = access.order_by_reference(request.GET.get("reference", ""))
    context = {"order": order, "error": bool(request.GET.get("erreur"))}
    return render(request, "payments/returned.html", context)
