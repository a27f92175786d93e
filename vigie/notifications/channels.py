"""One sender per channel, one interface: ``send_many(parcels)``, a chunk of messages at once.

A sender answers, for each parcel in order, what it learnt (``Sent``, with an
SMS's segments) or the error it met (one of vigie.notifications.errors:
TemporaryFailure is retried, PermanentFailure is not). A sender reads what it
needs for the whole chunk in one query and writes what it learnt in one more,
in the caller's thread; only the talking to providers (HTTP, files) runs in
the sending threads, which never touch the database.

Each message carries its delivery's identity so that a repeat, after a worker
died between sending a chunk and recording it, is recognised: the inbox keeps
one notice per subject, e-mails have a stable Message-ID, pushes a topic and a
tag that replace the earlier one, SMS a reference the provider keeps once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from vigie.notifications.actions import Claim
from vigie.notifications.emails import stable_message_id
from vigie.notifications.errors import (
    PermanentFailure,
    RecipientGone,
    SendError,
    TemporaryFailure,
)
from vigie.notifications.messages import Message
from vigie.notifications.models import Channel, InboxItem, PhoneNumber, PushSubscription

PUSH_TIME_TO_LIVE = 24 * 60 * 60


@dataclass(frozen=True)
class Sent:
    segments: int | None = None


@dataclass(frozen=True)
class Recipient:
    pk: int
    email: str
    language: str


@dataclass(frozen=True)
class Parcel:
    """One delivery's message, ready to leave."""

    delivery: Claim
    message: Message
    recipient: Recipient


Result = Sent | SendError


class Sender(Protocol):
    # Whether the receiving end keeps one of two messages carrying the same delivery's
    # identity (a notice per subject, a Message-ID, a push topic, an SMS reference).
    @property
    def recognises_repeats(self) -> bool: ...

    def send_many(self, parcels: Sequence[Parcel]) -> list[Result]: ...


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()

Item = TypeVar("Item")
Answer = TypeVar("Answer")


def in_threads(work: Callable[[Item], Answer], items: Sequence[Item]) -> list[Answer | SendError]:
    """``work`` for each item in the sending threads; a SendError raised is its answer.

    Anything else raised is a bug, and is raised here, in the caller's thread.
    """

    def guarded(item: Item) -> Answer | SendError:
        try:
            return work(item)
        except SendError as error:
            return error

    if len(items) <= 1:
        return [guarded(item) for item in items]
    global _pool
    with _pool_lock:
        if _pool is None:
            # Pushes and texts mostly wait on their service's answer: the threads
            # overlap the waits.
            _pool = ThreadPoolExecutor(settings.SENDING_THREADS, thread_name_prefix="sending")
    return list(_pool.map(guarded, items))


class InAppSender:
    recognises_repeats = True

    def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
        # The unique (recipient, subject) keeps one notice however often this runs.
        InboxItem.objects.bulk_create(
            [
                InboxItem(
                    recipient_id=parcel.delivery.recipient_id,
                    subject_type=parcel.delivery.subject_type,
                    subject_id=parcel.delivery.subject_id,
                    title=parcel.message.title[:200],
                    body=parcel.message.body,
                    url=parcel.message.url,
                    urgent=parcel.message.urgent,
                )
                for parcel in parcels
            ],
            ignore_conflicts=True,
        )
        return [Sent() for _parcel in parcels]


class EmailSender:
    """Every e-mail of a chunk through one connection to the mail server, one after the other.

    A refusal (the server answered) concerns its message only; a lost connection
    leaves the rest of the chunk for the retry rather than trying each in turn.
    """

    recognises_repeats = True

    def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
        from vigie.notifications.emails import is_refusal, smtp_failure

        bodies: dict[tuple[Message, str], str] = {}
        results: list[Result] = []
        connection = get_connection()
        broken: TemporaryFailure | None = None
        try:
            try:
                connection.open()
            except Exception as error:
                broken = TemporaryFailure(str(smtp_failure(error)))
            for parcel in parcels:
                if broken is not None:
                    results.append(broken)
                    continue
                language = parcel.recipient.language or "fr"
                body = bodies.get((parcel.message, language))
                if body is None:
                    with translation.override(language):
                        body = render_to_string(
                            "notifications/emails/message.txt",
                            {"message": parcel.message, "base_url": settings.BASE_URL},
                        )
                    bodies[(parcel.message, language)] = body
                email = EmailMessage(
                    subject=" ".join(parcel.message.title.split()),
                    body=body,
                    to=[parcel.recipient.email],
                    headers={
                        "Message-ID": stable_message_id(parcel.delivery),
                        "Auto-Submitted": "auto-generated",
                    },
                    connection=connection,
                )
                try:
                    email.send()
                except Exception as error:
                    failure = smtp_failure(error)
                    results.append(failure)
                    if not is_refusal(error):
                        broken = TemporaryFailure(f"not tried after {failure}")
                else:
                    results.append(Sent())
        finally:
            # The outcomes are known: a failed QUIT changes none of them.
            with contextlib.suppress(Exception):
                connection.close()
        return results


class SmsSender:
    @property
    def recognises_repeats(self) -> bool:
        from vigie.notifications.sms.providers import sms_provider

        return sms_provider().recognises_repeats

    def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
        from vigie.notifications.sms.gsm import fold_to_gsm, sms_length
        from vigie.notifications.sms.providers import sms_provider

        numbers = dict(
            PhoneNumber.objects.filter(
                user_id__in={parcel.delivery.recipient_id for parcel in parcels},
                verified_at__isnull=False,
            ).values_list("user_id", "number")
        )
        texts: dict[Message, tuple[str, int]] = {}
        for parcel in parcels:
            if parcel.message not in texts:
                text = fold_to_gsm(parcel.message.sms)
                texts[parcel.message] = (text, sms_length(text).segments)
        provider = sms_provider()

        def send(parcel: Parcel) -> Sent:
            number = numbers.get(parcel.delivery.recipient_id)
            if number is None:
                raise RecipientGone("no verified mobile number any more")
            text, segments = texts[parcel.message]
            provider.send(to=number, text=text, reference=f"delivery-{parcel.delivery.pk}")
            return Sent(segments=segments)

        return in_threads(send, parcels)


@dataclass(frozen=True)
class _Push:
    parcel: int  # its index in the chunk
    subscription: int
    endpoint: str
    p256dh: str
    auth: str


class PushSender:
    recognises_repeats = True

    def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
        from vigie.notifications.push import PushTarget, send_push

        subscriptions: dict[int, list[tuple[int, str, str, str]]] = {}
        for row in PushSubscription.objects.filter(
            user_id__in={parcel.delivery.recipient_id for parcel in parcels}
        ).values_list("user_id", "pk", "endpoint", "p256dh", "auth"):
            subscriptions.setdefault(row[0], []).append(row[1:])
        pushes = [
            _Push(index, pk, endpoint, p256dh, auth)
            for index, parcel in enumerate(parcels)
            for pk, endpoint, p256dh, auth in subscriptions.get(parcel.delivery.recipient_id, [])
        ]

        def send(push: _Push) -> None:
            message = parcels[push.parcel].message
            send_push(
                PushTarget(push.endpoint, push.p256dh, push.auth),
                {
                    "title": message.title,
                    "body": message.body[:300],
                    "url": message.url,
                    "tag": message.tag,
                    "urgent": message.urgent,
                },
                ttl=PUSH_TIME_TO_LIVE,
                urgency="high" if message.urgent else "normal",
                topic=message.tag,
            )

        answers = in_threads(send, pushes)
        reached: set[int] = set()
        temporary: dict[int, TemporaryFailure] = {}
        gone, succeeded = [], []
        for push, answer in zip(pushes, answers, strict=True):
            if isinstance(answer, RecipientGone):
                gone.append(push.subscription)  # the browser dropped it: never try it again
            elif isinstance(answer, TemporaryFailure):
                temporary[push.parcel] = answer
            elif not isinstance(answer, SendError):
                reached.add(push.parcel)
                succeeded.append(push.subscription)
        if gone:
            PushSubscription.objects.filter(pk__in=gone).delete()
        if succeeded:
            PushSubscription.objects.filter(pk__in=succeeded).update(last_success_at=timezone.now())
        results: list[Result] = []
        for index, parcel in enumerate(parcels):
            if index in reached:
                results.append(Sent())
            elif index in temporary:
                results.append(temporary[index])
            elif not subscriptions.get(parcel.delivery.recipient_id):
                results.append(RecipientGone("no push subscription any more"))
            else:
                results.append(PermanentFailure("no subscription accepted the message"))
        return results


SENDERS: dict[str, Sender] = {
    Channel.IN_APP: InAppSender(),
    Channel.EMAIL: EmailSender(),
    Channel.SMS: SmsSender(),
    Channel.PUSH: PushSender(),
}
