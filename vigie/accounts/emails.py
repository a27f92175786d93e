"""The account e-mails: what each one says is in templates/accounts/email/."""

from __future__ import annotations

from django.urls import reverse

from vigie.accounts import links
from vigie.accounts.models import EmailChange, User
from vigie.notifications.emails import register
from vigie.notifications.models import OutgoingEmail


def _active_user(email: OutgoingEmail) -> User | None:
    user = email.user
    if user is None or not user.is_active:
        return None
    return user


def _pending_change(email: OutgoingEmail) -> EmailChange | None:
    return EmailChange.objects.filter(pk=email.context.get("change_id")).first()


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


@register("confirm_sign_up", template="accounts/email/confirm_sign_up")
def confirm_sign_up(email: OutgoingEmail) -> dict[str, object] | None:
    user = _active_user(email)
    if user is None or user.email_confirmed_at is not None or user.email != email.to_address:
        return None
    return {"first_name": user.first_name, "link": links.sign_up_confirmation_url(user)}


@register("sign_up_existing", template="accounts/email/sign_up_existing")
def sign_up_existing(email: OutgoingEmail) -> dict[str, object] | None:
    user = _active_user(email)
    if user is None:
        return None
    return {
        "first_name": user.first_name,
        "login_url": links.absolute(reverse("accounts:login")),
        "reset_url": links.absolute(reverse("accounts:password_reset")),
    }


@register("password_reset", template="accounts/email/password_reset")
def password_reset(email: OutgoingEmail) -> dict[str, object] | None:
    user = _active_user(email)
    if user is None:
        return None
    return {"first_name": user.first_name, "link": links.password_reset_url(user)}


@register("password_changed", template="accounts/email/password_changed")
def password_changed(email: OutgoingEmail) -> dict[str, object] | None:
    user = _active_user(email)
    if user is None:
        return None
    return {
        "first_name": user.first_name,
        "reset_url": links.absolute(reverse("accounts:password_reset")),
    }


@register("email_change_confirm", template="accounts/email/email_change_confirm")
def email_change_confirm(email: OutgoingEmail) -> dict[str, object] | None:
    change = _pending_change(email)
    if change is None or not change.is_pending or not change.user.is_active:
        return None
    return {"first_name": change.user.first_name, "link": links.email_change_url(change)}


@register("email_changed_notice", template="accounts/email/email_changed_notice")
def email_changed_notice(email: OutgoingEmail) -> dict[str, object] | None:
    change = _pending_change(email)
    if change is None:
        return None
    return {
        "first_name": change.user.first_name,
        "new_email": mask_email(change.new_email),
        "reset_url": links.absolute(reverse("accounts:password_reset")),
    }
