"""An invoice as a PDF, in French, with the mentions French invoices require.

Seller (name, legal form and capital, address, SIRET, RCS, VAT number), buyer
(name, address, SIRET), the number and date, what was sold and for which
period, the price before VAT, the VAT rate and amount, the total, when and how
it was paid, and the late-payment terms the Commercial Code asks for.
"""

from __future__ import annotations

import io

from django.conf import settings

from vigie.payments.models import Invoice


def euros(cents: int) -> str:
    """1 234,56 € — French style, from integer cents."""
    whole = f"{cents // 100:,}".replace(",", "\u202f")
    return f"{whole},{cents % 100:02d} €"


def french_date(moment: object) -> str:
    from datetime import date, datetime

    from django.utils import timezone

    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    assert isinstance(moment, date)
    return moment.strftime("%d/%m/%Y")


def mentions(invoice: Invoice) -> list[str]:
    """Every line the invoice states, in order: tested, and drawn below."""
    return [
        f"FACTURE N° {invoice.number}",
        f"Date d'émission : {french_date(invoice.issued_at)}",
        "Vendeur :",
        settings.SELLER_NAME,
        settings.SELLER_LEGAL_FORM,
        settings.SELLER_ADDRESS,
        f"SIRET : {settings.SELLER_SIRET} — {settings.SELLER_RCS}",
        f"N° de TVA intracommunautaire : {settings.SELLER_VAT_NUMBER}",
        "Client :",
        invoice.buyer_name,
        *invoice.buyer_address.splitlines(),
        *([f"SIRET : {invoice.buyer_siret}"] if invoice.buyer_siret else []),
        "Désignation :",
        f"Abonnement Vigie — {invoice.description}",
        f"Période : du {french_date(invoice.period_start)} au {french_date(invoice.period_end)}",
        f"Quantité : 1 — Prix unitaire HT : {euros(invoice.amount_cents)}",
        f"Total HT : {euros(invoice.amount_cents)}",
        f"TVA {invoice.vat_rate_percent} % : {euros(invoice.vat_cents)}",
        f"Total TTC : {euros(invoice.total_cents)}",
        f"Facture acquittée le {french_date(invoice.order.paid_at or invoice.issued_at)}, "
        "par carte bancaire sur la page de paiement de la banque (Monetico).",
        f"Référence de la commande : {invoice.order.reference}",
        "Paiement comptant, sans escompte pour paiement anticipé.",
        "En cas de retard de paiement : intérêts moratoires au taux de la Banque centrale "
        "européenne majoré de huit points, et indemnité forfaitaire de 40 € pour frais de "
        "recouvrement (articles R. 2192-31 et D. 2192-35 du Code de la commande publique).",
    ]


def invoice_pdf(invoice: Invoice) -> bytes:
    # reportlab loads with the first invoice, not in every web worker (euros() is for pages).
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    left = 20 * mm
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Facture {invoice.number}")
    canvas.setAuthor(settings.SELLER_NAME)
    y = A4[1] - 25 * mm
    headings = {"Vendeur :", "Client :", "Désignation :"}
    for line in mentions(invoice):
        if line.startswith("FACTURE"):
            canvas.setFont("Helvetica-Bold", 16)
            canvas.drawString(left, y, line)
            y -= 10 * mm
            continue
        if line in headings:
            y -= 3 * mm
            canvas.setFont("Helvetica-Bold", 10)
        elif line.startswith("Total TTC"):
            canvas.setFont("Helvetica-Bold", 11)
        else:
            canvas.setFont("Helvetica", 10)
        for part in _wrap(line, width=95):
            canvas.drawString(left, y, part)
            y -= 5.2 * mm
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _wrap(text: str, *, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]
