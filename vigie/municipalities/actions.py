"""Writers for town halls: accounts and agents, official messages, counter checks,
référents, and the subscription's life (extended by a payment, cancelled, reminded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.addresses.models import Address
from vigie.alerts.models import Alert
from vigie.audit import events as audit
from vigie.communities.models import Community, CommunityKind, Membership, Role
from vigie.lib.errors import Conflict, InvalidInput, Message
from vigie.lib.validators import (
    clean_multiline,
    clean_person_name,
    clean_single_line,
    normalize_email,
)
from vigie.municipalities.models import (
    REMINDER_DAYS,
    Agent,
    Period,
    ResidenceCheck,
    Subscription,
    TownHall,
)
from vigie.municipalities.plans import plan as find_plan

# --- Town halls and their agents ------------------------------------------------------------


@dataclass(frozen=True)
class TownHallInput:
    insee_code: str
    commune_name: str
    population: int
    billing_name: str
    billing_address: str
    billing_postcode: str
    billing_city: str
    contact_email: str
    siret: str = ""


@transaction.atomic
def do_create_town_hall(data: TownHallInput, *, acting_user: User) -> TownHall:
    errors: dict[str, list[Message]] = {}

    def check(name: str, clean: object) -> str:
        try:
            return clean()  # type: ignore[operator]
        except ValidationError as error:
            errors[name] = list(error.messages)
            return ""

    insee = data.insee_code.strip().upper()
    if len(insee) != 5 or not insee.replace("A", "").replace("B", "").isdigit():
        errors["insee_code"] = [_("An INSEE code has five characters, like 75056 or 2A004.")]
    commune = check("commune_name", lambda: clean_single_line(data.commune_name, max_length=100))
    name = check("billing_name", lambda: clean_single_line(data.billing_name, max_length=120))
    address = check(
        "billing_address", lambda: clean_multiline(data.billing_address, max_length=400)
    )
    email = check("contact_email", lambda: normalize_email(data.contact_email))
    city = check("billing_city", lambda: clean_single_line(data.billing_city, max_length=100))
    postcode = data.billing_postcode.strip()
    if len(postcode) != 5 or not postcode.isdigit():
        errors["billing_postcode"] = [_("A postcode has five digits.")]
    siret = data.siret.replace(" ", "")
    # Public buyers are invoiced under their SIRET (Chorus Pro needs it too).
    if len(siret) != 14 or not siret.isdigit():
        errors["siret"] = [_("A SIRET number has 14 digits.")]
    if not 1 <= data.population <= 10_000_000:
        errors["population"] = [_("Give the commune's population.")]
    if not errors and TownHall.objects.filter(insee_code=insee).exists():
        raise Conflict(_("This commune already has its town hall."), code="town_hall_exists")
    if errors:
        raise InvalidInput(errors)
    town_hall = TownHall.objects.create(
        insee_code=insee,
        commune_name=commune,
        population=data.population,
        billing_name=name,
        billing_address=address,
        billing_postcode=postcode,
        billing_city=city,
        siret=siret,
        contact_email=email,
    )
    audit.town_hall_created(town_hall, actor_id=acting_user.pk)
    return town_hall


@transaction.atomic
def do_invite_agent(
    town_hall: TownHall, *, email: str, first_name: str, last_name: str, acting_user: User
) -> Agent:
    """An agent's account (new, or the person's own), and an e-mail to set its password.

    Their console opens once they set up their second factor.
    """
    from vigie.notifications.actions import queue_email

    errors: dict[str, list[Message]] = {}
    clean = {}
    for name, value, cleaner in (
        ("email", email, normalize_email),
        ("first_name", first_name, clean_person_name),
        ("last_name", last_name, clean_person_name),
    ):
        try:
            clean[name] = cleaner(value)
        except ValidationError as error:
            errors[name] = list(error.messages)
    if errors:
        raise InvalidInput(errors)
    user = User.objects.filter(email=clean["email"]).first()
    if user is None:
        user = User(
            email=clean["email"],
            first_name=clean["first_name"],
            last_name=clean["last_name"],
            display_name=f"{clean['first_name']} ({town_hall.commune_name})"[:40],
            email_confirmed_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
        audit.account_created(user, actor_id=acting_user.pk)
    if user.is_staff:
        raise Conflict(_("A team account cannot work for a town hall."), code="team_member")
    if Agent.objects.filter(user=user, removed_at__isnull=True).exists():
        raise Conflict(_("This person already works for a town hall."), code="already_agent")
    agent = Agent.objects.create(town_hall=town_hall, user=user, invited_by=acting_user)
    user.is_town_hall_agent = True
    user.save(update_fields=["is_town_hall_agent"])
    audit.agent_invited(agent, actor_id=acting_user.pk)
    queue_email(
        "agent_invitation",
        to=user.email,
        language=user.language or "fr",
        user_id=user.pk,
        context={"town_hall_id": town_hall.pk},
    )
    return agent


@transaction.atomic
def do_remove_agent(agent: Agent, *, acting_user: User) -> None:
    from vigie.accounts.actions import do_end_other_sessions

    agent.removed_at = timezone.now()
    agent.save(update_fields=["removed_at"])
    user = agent.user
    user.is_town_hall_agent = False
    user.save(update_fields=["is_town_hall_agent"])
    do_end_other_sessions(user, current_session_key=None)
    audit.agent_removed(agent, actor_id=acting_user.pk)


# --- Official messages ----------------------------------------------------------------------

OFFICIAL_CATEGORIES = ("weather", "roads", "burglary", "fire", "other")


@dataclass(frozen=True)
class OfficialMessageInput:
    category: str
    place: str
    text: str
    urgent: bool = False
    # Empty: every neighbourhood of the commune.
    neighbourhood_ids: list[int] = field(default_factory=list)


@transaction.atomic
def do_publish_official_message(
    town_hall: TownHall, *, agent: User, data: OfficialMessageInput
) -> list[Alert]:
    """One message of the town hall, told at once to every neighbour of the neighbourhoods
    chosen, through the alerts' fan-out, marked as official."""
    from vigie.alerts.models import Category, Source, State, Urgency
    from vigie.alerts.tasks import fan_out_alert

    subscription = Subscription.objects.filter(town_hall=town_hall).first()
    if subscription is None or not subscription.is_active():
        raise Conflict(
            _("Official messages come with a subscription: choose a plan first."),
            code="no_subscription",
        )
    errors: dict[str, list[Message]] = {}
    if data.category not in OFFICIAL_CATEGORIES:
        errors["category"] = [_("Choose what the message is about.")]
    try:
        place = clean_single_line(data.place, max_length=120)
    except ValidationError as error:
        errors["place"] = list(error.messages)
    try:
        text = clean_multiline(data.text, max_length=2000)
    except ValidationError as error:
        errors["text"] = list(error.messages)
    communes = Community.objects.filter(
        insee_code=town_hall.insee_code, kind=CommunityKind.NEIGHBOURHOOD
    )
    chosen = list(
        communes.filter(pk__in=data.neighbourhood_ids) if data.neighbourhood_ids else communes
    )
    if data.neighbourhood_ids and len(chosen) != len(set(data.neighbourhood_ids)):
        errors["neighbourhood_ids"] = [_("Choose neighbourhoods of your commune.")]
    elif not chosen:
        errors["neighbourhood_ids"] = [_("Your commune has no neighbourhood yet.")]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    published = []
    for community in chosen:
        alert = Alert.objects.create(
            community=community,
            author=agent,
            category=Category(data.category),
            urgency=Urgency.URGENT if data.urgent else Urgency.NORMAL,
            happened_at=now,
            place=place,
            description=text,
            state=State.APPROVED,
            source=Source.OFFICIAL,
            town_hall=town_hall,
            submitted_at=now,
            decided_at=now,
            reviewed_at=now,
            decided_by=agent,
        )
        audit.official_message_published(alert, actor_id=agent.pk)
        fan_out_alert.enqueue(alert.pk)
        published.append(alert)
    return published


# --- The counter check and the référents ----------------------------------------------------


@transaction.atomic
def do_check_residence(town_hall: TownHall, *, agent: User, address: Address) -> ResidenceCheck:
    """An agent saw a proof of residence: the address is verified as the letter's code would."""
    from vigie.addresses.models import VerificationMethod
    from vigie.verification.actions import do_complete_verification

    address = Address.objects.select_for_update().get(pk=address.pk)
    if address.insee_code != town_hall.insee_code or address.moved_out_at is not None:
        raise InvalidInput({"address": [_("This address is not in your commune.")]})
    if address.verified_at is not None:
        raise Conflict(_("This address is already verified."), code="already_verified")
    check = ResidenceCheck.objects.create(town_hall=town_hall, agent=agent, address=address)
    audit.residence_checked(check)
    do_complete_verification(address, method=VerificationMethod.COUNTER, acting_user=agent)
    return check


@transaction.atomic
def do_set_commune_role(membership: Membership, *, role: str, acting_user: User) -> Membership:
    """The town hall (or the team) names the référents and deputies of its neighbourhoods."""
    from vigie.communities.actions import do_set_role

    if role not in Role.values:
        raise InvalidInput({"role": [_("Choose member, référent or deputy référent.")]})
    if role != Role.MEMBER and not membership.can_write:
        raise Conflict(_("A suspended member cannot be référent."), code="suspended")
    return do_set_role(membership, role=Role(role), acting_user=acting_user)


# --- The subscription -----------------------------------------------------------------------


def _add_period(start: datetime, period: str, *, anchor_day: int) -> datetime:
    """A month or a year later, on the subscription's day of the month (or the last day of a
    shorter month): 31 January, 28 February, 31 March — never drifting to the 28th."""
    import calendar

    months = 12 if period == Period.YEARLY else 1
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(anchor_day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


@transaction.atomic
def do_extend_subscription(
    town_hall: TownHall, *, plan_code: str, period: str, paid_at: datetime
) -> tuple[Subscription, datetime]:
    """A paid order: the subscription runs one more period, from its end or from now.

    Returns the subscription and the start of the period paid (the invoice states it).

    Called by vigie.payments once the bank confirmed the payment, never before.
    """
    chosen = find_plan(plan_code)
    if chosen is None or period not in Period.values:
        raise InvalidInput({"plan": [_("Unknown plan.")]})
    # The town hall's row is the lock: two first payments at once make one subscription.
    TownHall.objects.select_for_update().get(pk=town_hall.pk)
    subscription = Subscription.objects.filter(town_hall=town_hall).first()
    if subscription is None:
        until = _add_period(paid_at, period, anchor_day=timezone.localtime(paid_at).day)
        subscription = Subscription.objects.create(
            town_hall=town_hall, plan=plan_code, period=period, started_at=paid_at,
            paid_until=until,
        )  # fmt: skip
        return subscription, paid_at
    running = subscription.is_active(paid_at)
    start = subscription.paid_until if running else paid_at
    if running:
        subscription.plan = subscription.plan_at(paid_at)
        if plan_code != subscription.plan:
            # Paid early: the period paid now starts later, and its plan with it.
            subscription.next_plan, subscription.plan_changes_at = plan_code, start
    else:
        subscription.plan, subscription.started_at = plan_code, paid_at
        subscription.next_plan, subscription.plan_changes_at = "", None
    anchor = timezone.localtime(subscription.started_at).day
    subscription.period = period
    subscription.paid_until = _add_period(start, period, anchor_day=anchor)
    subscription.cancelled_at = None
    subscription.reminder_sent_for = None
    subscription.save()
    audit.subscription_extended(subscription)
    return subscription, start


@transaction.atomic
def do_cancel_subscription(town_hall: TownHall, *, acting_user: User) -> Subscription:
    """Cancelled at any time; it runs to the end of the period paid, and nothing is asked."""
    subscription = Subscription.objects.select_for_update().filter(town_hall=town_hall).first()
    if subscription is None or not subscription.is_active():
        raise Conflict(_("There is no subscription running."), code="no_subscription")
    if subscription.cancelled_at is None:
        subscription.cancelled_at = timezone.now()
        subscription.save(update_fields=["cancelled_at"])
        audit.subscription_cancelled(subscription, actor_id=acting_user.pk)
    return subscription


@transaction.atomic
def do_send_renewal_reminders(*, now: datetime | None = None) -> int:
    """Thirty days before a subscription ends, the town hall is told (it never renews alone)."""
    from vigie.notifications.actions import queue_email

    moment = now or timezone.now()
    due = Subscription.objects.select_related("town_hall").filter(
        cancelled_at__isnull=True,
        paid_until__gt=moment,
        paid_until__lte=moment + timedelta(days=max(REMINDER_DAYS.values())),
    )
    sent = 0
    for subscription in due:
        notice = timedelta(days=REMINDER_DAYS[Period(subscription.period)])
        if (
            subscription.reminder_sent_for == subscription.paid_until
            or subscription.paid_until - moment > notice
        ):
            continue
        town_hall = subscription.town_hall
        # Each agent's copy names its owner, so an erasure finds it.
        recipients: dict[str, tuple[str, int | None]] = {town_hall.contact_email: ("fr", None)}
        for agent in Agent.objects.filter(
            town_hall=town_hall, removed_at__isnull=True
        ).select_related("user"):
            recipients[agent.user.email] = (agent.user.language or "fr", agent.user_id)
        for address, (language, user_id) in sorted(recipients.items()):
            queue_email(
                "subscription_reminder",
                to=address,
                language=language,
                user_id=user_id,
                context={"town_hall_id": town_hall.pk},
            )
        subscription.reminder_sent_for = subscription.paid_until
        subscription.save(update_fields=["reminder_sent_for"])
        sent += 1
    return sent
