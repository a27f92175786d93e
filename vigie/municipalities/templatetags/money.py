from __future__ import annotations

from django import template

from vigie.payments.invoice_pdf import euros as in_euros

register = template.Library()


@register.filter
def euros(cents: int) -> str:
    """Integer cents as French euros: 1 234,56 €."""
    return in_euros(int(cents))
