"""/api/v1/municipalities/…: the town hall's console for its agents, and the team's part."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema, Status

from vigie.accounts.authentication import is_verified
from vigie.accounts.models import User
from vigie.api.auth import member_auth, team_caller
from vigie.api.schemas import ERRORS, BodyId, Id
from vigie.municipalities import access, actions
from vigie.municipalities.models import TownHall
from vigie.municipalities.plans import plans_for
from vigie.payments import access as payment_access
from vigie.payments import actions as payment_actions

router = Router(tags=["town halls"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _town_hall(request: HttpRequest, town_hall_id: int) -> TownHall:
    return access.access_town_hall(_caller(request), town_hall_id)


class NeighbourhoodOut(Schema):
    id: int
    name: str
    members: int


class SubscriptionOut(Schema):
    plan: str
    period: str
    paid_until: datetime
    # A plan paid before the end of the period: it takes over at plan_changes_at.
    next_plan: str | None
    plan_changes_at: datetime | None
    active: bool
    cancelled: bool


class SmsMonthOut(Schema):
    month: date
    messages: int
    segments: int
    credits: int


class TownHallOut(Schema):
    id: int
    insee_code: str
    commune_name: str
    neighbourhoods: list[NeighbourhoodOut]
    subscription: SubscriptionOut | None
    sms: list[SmsMonthOut]


def _subscription_out(town_hall: TownHall) -> SubscriptionOut | None:
    found = access.subscription_of(town_hall)
    if found is None:
        return None
    waiting = found.waiting_change()
    return SubscriptionOut(
        plan=found.plan_at(),
        period=found.period,
        paid_until=found.paid_until,
        next_plan=waiting[0] if waiting else None,
        plan_changes_at=waiting[1] if waiting else None,
        active=found.is_active(),
        cancelled=found.cancelled_at is not None,
    )


@router.get("/{int:town_hall_id}", response={200: TownHallOut, **ERRORS})
def town_hall(request: HttpRequest, town_hall_id: Id) -> TownHallOut:
    """My town hall: its neighbourhoods and their member counts, the subscription, SMS used."""
    found = _town_hall(request, town_hall_id)
    return TownHallOut(
        id=found.pk,
        insee_code=found.insee_code,
        commune_name=found.commune_name,
        neighbourhoods=[
            NeighbourhoodOut(id=row.community.pk, name=row.community.name, members=row.members)
            for row in access.neighbourhoods_of(found)
        ],
        subscription=_subscription_out(found),
        sms=[
            SmsMonthOut(
                month=month.month.date() if isinstance(month.month, datetime) else month.month,
                messages=month.messages,
                segments=month.segments,
                credits=month.credits,
            )
            for month in access.sms_months(found)
        ],
    )


class CommuneAlertOut(Schema):
    id: int
    community_id: int
    category: str
    urgency: str
    place: str
    description: str
    state: str
    official: bool
    submitted_at: datetime | None


@router.get("/{int:town_hall_id}/alerts", response={200: list[CommuneAlertOut], **ERRORS})
def alerts(request: HttpRequest, town_hall_id: Id) -> list[CommuneAlertOut]:
    """The alerts sent in the commune's neighbourhoods (never who wrote them), newest first."""
    found = _town_hall(request, town_hall_id)
    return [
        CommuneAlertOut(
            id=alert.pk,
            community_id=alert.community_id,
            category=alert.category,
            urgency=alert.urgency,
            place=alert.place,
            description=alert.description,
            state=alert.state,
            official=alert.town_hall_id is not None,
            submitted_at=alert.submitted_at,
        )
        for alert in access.commune_alerts(found)[:100]
    ]


class OfficialMessageIn(Schema):
    category: str = Field(max_length=30, description="weather, roads, burglary, fire or other")
    place: str = Field(max_length=120)
    text: str = Field(max_length=2000)
    urgent: bool = Field(default=False, strict=True)
    neighbourhood_ids: list[BodyId] = Field(
        default_factory=list, max_length=200, description="none: every neighbourhood"
    )


class PublishedOut(Schema):
    alert_ids: list[int]


@router.post("/{int:town_hall_id}/messages", response={201: PublishedOut, **ERRORS})
def publish(
    request: HttpRequest, town_hall_id: Id, payload: OfficialMessageIn
) -> Status[PublishedOut]:
    """An official message, told at once to every neighbour of the neighbourhoods chosen."""
    found = _town_hall(request, town_hall_id)
    published = actions.do_publish_official_message(
        found,
        agent=_caller(request),
        data=actions.OfficialMessageInput(
            category=payload.category,
            place=payload.place,
            text=payload.text,
            urgent=payload.urgent,
            neighbourhood_ids=payload.neighbourhood_ids,
        ),
    )
    return Status(201, PublishedOut(alert_ids=[alert.pk for alert in published]))


class MembershipOut(Schema):
    id: int
    community_id: int
    role: str
    state: str


class ResidentOut(Schema):
    address_id: int
    full_name: str
    display_name: str
    verified: bool
    memberships: list[MembershipOut]


class ResidentQuery(Schema):
    q: str = Field(default="", max_length=100, description="a name, or an e-mail address")


@router.get("/{int:town_hall_id}/residents", response={200: list[ResidentOut], **ERRORS})
def residents(
    request: HttpRequest, town_hall_id: Id, filters: Query[ResidentQuery]
) -> list[ResidentOut]:
    """The commune's residents by name (never their street address)."""
    found = _town_hall(request, town_hall_id)
    return [
        ResidentOut(
            address_id=resident.address.pk,
            full_name=resident.user.get_full_name(),
            display_name=resident.user.display_name,
            verified=resident.verified,
            memberships=[
                MembershipOut(
                    id=membership.pk,
                    community_id=membership.community_id,
                    role=membership.role,
                    state=membership.state,
                )
                for membership in resident.memberships
            ],
        )
        for resident in access.residents_of(found, query=filters.q)
    ]


class ResidenceCheckIn(Schema):
    address_id: BodyId


class ResidenceCheckOut(Schema):
    id: int
    checked_at: datetime


@router.post("/{int:town_hall_id}/residence-checks", response={201: ResidenceCheckOut, **ERRORS})
def check_residence(
    request: HttpRequest, town_hall_id: Id, payload: ResidenceCheckIn
) -> Status[ResidenceCheckOut]:
    """A proof of residence seen at the counter: the address is verified, as by the letter."""
    found = _town_hall(request, town_hall_id)
    address = access.commune_address(found, payload.address_id)
    check = actions.do_check_residence(found, agent=_caller(request), address=address)
    return Status(201, ResidenceCheckOut(id=check.pk, checked_at=check.checked_at))


class RoleIn(Schema):
    role: str = Field(max_length=10, description="member, referent or deputy")


@router.put(
    "/{int:town_hall_id}/roles/{int:membership_id}", response={200: MembershipOut, **ERRORS}
)
def set_role(
    request: HttpRequest, town_hall_id: Id, membership_id: Id, payload: RoleIn
) -> MembershipOut:
    """Name (or unname) a référent or deputy in one of the commune's neighbourhoods."""
    user = _caller(request)
    found = (
        access.any_town_hall(town_hall_id)
        if user.is_staff and is_verified(user)
        else _town_hall(request, town_hall_id)
    )
    membership = access.commune_membership(found, membership_id)
    changed = actions.do_set_commune_role(membership, role=payload.role, acting_user=user)
    return MembershipOut(
        id=changed.pk, community_id=changed.community_id, role=changed.role, state=changed.state
    )


class PlanOut(Schema):
    code: str
    name: str
    monthly_cents: int
    yearly_cents: int
    sms_credits: int


@router.get("/{int:town_hall_id}/plans", response={200: list[PlanOut], **ERRORS})
def plans(request: HttpRequest, town_hall_id: Id) -> list[PlanOut]:
    """The plans for the commune's size (prices before VAT, in cents; VAT 20 %)."""
    found = _town_hall(request, town_hall_id)
    return [
        PlanOut(
            code=plan.code,
            name=str(plan.name),
            monthly_cents=plan.monthly_cents,
            yearly_cents=plan.yearly_cents,
            sms_credits=plan.sms_credits,
        )
        for plan in plans_for(found.population)
    ]


class OrderIn(Schema):
    plan: str = Field(max_length=20)
    period: str = Field(max_length=8, description="monthly or yearly")


class OrderOut(Schema):
    id: int
    reference: str
    amount_cents: int
    vat_cents: int
    total_cents: int
    state: str
    action: str = Field(description="the bank's hosted page: POST the fields there")
    fields: dict[str, str] = Field(description="the signed form (no card field, ever)")


@router.post("/{int:town_hall_id}/orders", response={201: OrderOut, **ERRORS})
def order(request: HttpRequest, town_hall_id: Id, payload: OrderIn) -> Status[OrderOut]:
    """An order, and the signed form that sends the buyer to the bank's payment page.

    Only the bank's own notification (POST /payments/monetico/notify) marks it paid.
    """
    found = _town_hall(request, town_hall_id)
    user = _caller(request)
    made = payment_actions.do_create_order(
        found, plan_code=payload.plan, period=payload.period, acting_user=user
    )
    form = payment_access.payment_form(
        made, payer=user, language=translation.get_language() or "fr"
    )
    return Status(
        201,
        OrderOut(
            id=made.pk,
            reference=made.reference,
            amount_cents=made.amount_cents,
            vat_cents=made.vat_cents,
            total_cents=made.total_cents,
            state=made.state,
            action=form.action,
            fields=form.fields,
        ),
    )


@router.get("/{int:town_hall_id}/subscription", response={200: SubscriptionOut | None, **ERRORS})
def subscription(request: HttpRequest, town_hall_id: Id) -> SubscriptionOut | None:
    return _subscription_out(_town_hall(request, town_hall_id))


@router.post("/{int:town_hall_id}/subscription/cancel", response={200: SubscriptionOut, **ERRORS})
def cancel(request: HttpRequest, town_hall_id: Id) -> SubscriptionOut:
    """Cancel at any time: it runs to the end of the period paid, and nothing renews."""
    found = _town_hall(request, town_hall_id)
    actions.do_cancel_subscription(found, acting_user=_caller(request))
    result = _subscription_out(found)
    assert result is not None
    return result


class InvoiceOut(Schema):
    number: str
    issued_at: datetime
    total_cents: int
    pdf: str


@router.get("/{int:town_hall_id}/invoices", response={200: list[InvoiceOut], **ERRORS})
def invoices(request: HttpRequest, town_hall_id: Id) -> list[InvoiceOut]:
    from django.urls import reverse

    found = _town_hall(request, town_hall_id)
    return [
        InvoiceOut(
            number=invoice.number,
            issued_at=invoice.issued_at,
            total_cents=invoice.total_cents,
            pdf=reverse(
                "municipalities:invoice",
                kwargs={"town_hall_id": found.pk, "number": invoice.number},
            ),
        )
        for invoice in payment_access.invoices_of(found)
    ]


# --- The team ------------------------------------------------------------------------------


class TownHallIn(Schema):
    insee_code: str = Field(max_length=5)
    commune_name: str = Field(max_length=100)
    population: int = Field(strict=True, ge=1, le=10_000_000)
    billing_name: str = Field(max_length=120)
    billing_address: str = Field(max_length=400)
    billing_postcode: str = Field(max_length=5)
    billing_city: str = Field(max_length=100)
    contact_email: str = Field(max_length=254)
    siret: str = Field(default="", max_length=17)


class CreatedOut(Schema):
    id: int


@router.post("", response={201: CreatedOut, **ERRORS})
def create(request: HttpRequest, payload: TownHallIn) -> Status[CreatedOut]:
    """The team opens a commune's town hall account."""
    user = team_caller(request)
    made = actions.do_create_town_hall(actions.TownHallInput(**payload.dict()), acting_user=user)
    return Status(201, CreatedOut(id=made.pk))


class AgentIn(Schema):
    email: str = Field(max_length=254)
    first_name: str = Field(max_length=150)
    last_name: str = Field(max_length=150)


@router.post("/{int:town_hall_id}/agents", response={201: CreatedOut, **ERRORS})
def invite(request: HttpRequest, town_hall_id: Id, payload: AgentIn) -> Status[CreatedOut]:
    """The team invites an agent; their console opens with their second factor."""
    user = team_caller(request)
    found = access.any_town_hall(town_hall_id)
    agent = actions.do_invite_agent(found, acting_user=user, **payload.dict())
    return Status(201, CreatedOut(id=agent.pk))
