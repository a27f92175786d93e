"""The plans town halls choose from, by the commune's size; prices in integer cents.

Prices are before VAT; VAT is 20 % (the standard French rate), rounded to the
cent on the total, as an invoice shows it. SMS credits are per month.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VAT_RATE_PERCENT = 20


@dataclass(frozen=True)
class Plan:
    code: str
    name: Promise
    largest_population: int  # communes up to this many inhabitants
    monthly_cents: int
    yearly_cents: int  # two months free
    sms_credits: int  # segments per month

    def price_cents(self, period: str) -> int:
        return self.yearly_cents if period == "yearly" else self.monthly_cents


PLANS: tuple[Plan, ...] = (
    Plan("village", _("Village (up to 2,000 inhabitants)"), 2_000, 2_900, 29_000, 300),
    Plan("bourg", _("Small town (up to 10,000 inhabitants)"), 10_000, 7_900, 79_000, 1_500),
    Plan("ville", _("Town (up to 50,000 inhabitants)"), 50_000, 19_900, 199_000, 6_000),
    Plan("agglo", _("City (more than 50,000 inhabitants)"), 10**9, 49_900, 499_000, 20_000),
)


def plan(code: str) -> Plan | None:
    return next((found for found in PLANS if found.code == code), None)


def plans_for(population: int) -> list[Plan]:
    """The plan for the commune's size, and the larger ones (a town may choose more credits)."""
    return [found for found in PLANS if found.largest_population >= population]


def vat_cents(amount_cents: int) -> int:
    # Half up, in integers: no float ever touches money.
    return (amount_cents * VAT_RATE_PERCENT + 50) // 100
