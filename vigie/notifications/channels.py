"""One sender per channel, one interface: ``send(delivery, message)``.

A sender returns what it learnt (the SMS's segments) or raises one of
vigie.notifications.errors: TemporaryFailure is retried, PermanentFailure is
not. Each message carries its delivery's identity so that a repeat, after a
worker died between sending and recording, is recognised: the inbox keeps one
notice per subject, e-mails have a stable Message-ID, pushes a tag that
replaces the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vigie.notifications.errors import PermanentFailure, RecipientGone, TemporaryFailure
from vigie.notifications.messages import Message
from vigie.notifications.models import Channel, Delivery, InboxItem, PhoneNumber, PushSubscription

PUSH_TIME_TO_LIVE = 24 * 60 * 60


@dataclass(frozen=True)
class Sent:
    segments: int | None = None


class Sender(Protocol):
    def send(self, delivery: Delivery, message: Message) -> Sent: ...


class InAppSender:
    def send(self, delivery: Delivery, message: Message) -> Sent:
        InboxItem.objects.get_or_create(
            recipient_id=delivery.recipient_id,
            subject_type=delivery.subject_type,
            subject_id=delivery.subject_id,
            defaults={
                "title": message.title[:200],
                "body": message.body,
                "url": message.url,
                "urgent": message.urgent,
            },
        )
        return Sent()


def message_id(delivery: Delivery) -> str:
    domain = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<delivery-{delivery.pk}@{domain}>"


class EmailSender:
    def send(self, delivery: Delivery, message: Message) -> Sent:
        recipient = delivery.recipient
        with translation.override(recipient.language or "fr"):
            body = render_to_string(
                "notifications/emails/message.txt",
                {"message": message, "base_url": settings.BASE_URL},
            )
        email = EmailMessage(
            subject=" ".join(message.title.split()),
            body=body,
            to=[recipient.email],
            headers={"Message-ID": message_id(delivery), "Auto-Submitted": "auto-generated"},
        )
        try:
            email.send()
        except (OSError, TimeoutError) as error:  # SMTP errors are OSErrors too
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        return Sent()


class SmsSender:
    def send(self, delivery: Delivery, message: Message) -> Sent:
        from vigie.notifications.sms.gsm import fold_to_gsm, sms_length
        from vigie.notifications.sms.providers import sms_provider

        phone = PhoneNumber.objects.filter(
            user_id=delivery.recipient_id, verified_at__isnull=False
        ).first()
        if phone is None:
            raise RecipientGone("no verified mobile number any more")
        text = fold_to_gsm(message.sms)
        sms_provider().send(to=phone.number, text=text, reference=f"delivery-{delivery.pk}")
        return Sent(segments=sms_length(text).segments)


class PushSender:
    def send(self, delivery: Delivery, message: Message) -> Sent:
        from vigie.notifications.push import PushTarget, send_push

        subscriptions = list(PushSubscription.objects.filter(user_id=delivery.recipient_id))
        if not subscriptions:
            raise RecipientGone("no push subscription any more")
        payload = {
            "title": message.title,
            "body": message.body[:300],
            "url": message.url,
            "tag": message.tag,
            "urgent": message.urgent,
        }
        reached, temporary = 0, None
        for subscription in subscriptions:
            target = PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)
            try:
                send_push(
                    target,
                    payload,
                    ttl=PUSH_TIME_TO_LIVE,
                    urgency="high" if message.urgent else "normal",
                    topic=message.tag,
                )
            except RecipientGone:
                subscription.delete()  # the browser dropped it: never try it again
            except TemporaryFailure as error:
                temporary = error
            except PermanentFailure:
                continue
            else:
                reached += 1
                PushSubscription.objects.filter(pk=subscription.pk).update(
                    last_success_at=timezone.now()
                )
        if reached:
            return Sent()
        if temporary is not None:
            raise temporary
        raise PermanentFailure("no subscription accepted the message")


SENDERS: dict[str, Sender] = {
    Channel.IN_APP: InAppSender(),
    Channel.EMAIL: EmailSender(),
    Channel.SMS: SmsSender(),
    Channel.PUSH: PushSender(),
}
