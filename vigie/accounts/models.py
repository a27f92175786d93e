"""People's accounts, their sessions, access tokens and second factors."""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from vigie.lib.crypto import EncryptedTextField

NAME_MAX_LENGTH = 150
DISPLAY_NAME_MAX_LENGTH = 40
TOKEN_NAME_MAX_LENGTH = 60


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are stored lower-cased; log-in is case-insensitive.
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Used by Django's createsuperuser; Vigie's own sign-up is accounts.actions."""
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True, email_confirmed_at=timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=NAME_MAX_LENGTH)
    last_name = models.CharField(_("last name"), max_length=NAME_MAX_LENGTH)
    # What neighbours see; the real name stays with moderators and the town hall.
    # Either a nickname the person chose, or their first name and last initial.
    nickname = models.CharField(_("nickname"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    # An agent of a town hall (vigie.municipalities): real names and residents' checks.
    is_town_hall_agent = models.BooleanField(_("town hall agent"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    # The last version of the terms of use accepted (each acceptance is recorded in
    # moderation.TermsAcceptance); kept here so that checking costs no query.
    accepted_terms_version = models.PositiveSmallIntegerField(null=True, blank=True)
    # Erased at the person's request or by the retention purge: the row stays, emptied,
    # as the pseudonym that moderation and billing records keep pointing at.
    erased_at = models.DateTimeField(null=True, blank=True)
    # When a home of theirs was first proven: an account verified once is never taken for
    # one that never was (retention), even after a move and its former address are gone.
    first_verified_at = models.DateTimeField(null=True, blank=True)
    # Told by e-mail that an unused account is about to be deleted (retention).
    inactivity_warned_at = models.DateTimeField(null=True, blank=True)
    # GDPR art. 18: while the team has restricted processing, the account's data is
    # kept as it is (no purge) and used for nothing else (no notification, no listing).
    processing_restricted_at = models.DateTimeField(null=True, blank=True)
    processing_restriction_reason = models.CharField(max_length=300, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"user #{self.pk}"

    @property
    def is_privileged(self) -> bool:
        """The team or a town hall: a second factor, and sessions as short as the team's."""
        return self.is_staff or self.is_town_hall_agent

    @property
    def public_name(self) -> str:
        """The name neighbours see; an erased account's kept contributions show no one."""
        return self.display_name or str(_("Former neighbour"))

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.display_name


class UserSession(AbstractBaseSession):
    """Django's database session, plus who it belongs to and where it was opened.

    The extra columns are copied from the session data at each save (see
    ``session_store``), so a person can list their sessions and end them.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    authenticated_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from vigie.accounts.session_store import SessionStore

        return SessionStore


class AccessToken(models.Model):
    """A personal access token for a mobile client; only its digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=TOKEN_NAME_MAX_LENGTH)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Created from a session that had passed its second factor: the token may
    # then do what a verified session may do.
    with_second_factor = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class EmailChange(models.Model):
    """A request to move an account to a new e-mail address, pending its confirmation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(max_length=254)
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"e-mail change #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None


class RecoveryCodeDevice(Device):
    """Single-use recovery codes for when the authenticator app is lost.

    django-otp's own static tokens are stored in clear; these are kept only as
    digests, like access tokens.
    """

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token: object) -> bool:
        if not isinstance(token, str):
            return False
        if not normalize_recovery_code(token):
            return False
        # django-otp calls this to check a code; spending it is an action (audited).
        from vigie.accounts.actions import do_use_recovery_code

        return do_use_recovery_code(self, code=token)


def default_totp_key() -> str:
    return str(random_hex(20))


def validate_totp_key(value: str) -> None:
    hex_validator()(value)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (RFC 6238 time-based codes).

    django-otp's own TOTPDevice keeps the shared secret in clear: a database
    dump would let anyone compute the team's codes. This one stores it
    encrypted (vigie.lib.crypto) and otherwise behaves the same: ``tolerance``
    steps either side are accepted (drift is not learnt: OTP_TOTP_SYNC is off), a code at or before
    ``last_t`` is refused (no replay), failures slow down further attempts.
    The OTP_TOTP_* settings of django-otp apply.
    """

    # A hex-encoded secret of up to 40 bytes.
    key = EncryptedTextField(validators=[validate_totp_key], default=default_totp_key)
    step = models.PositiveSmallIntegerField(default=30)  # seconds
    t0 = models.BigIntegerField(default=0)  # the Unix time steps count from
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)  # steps before or after
    drift = models.SmallIntegerField(default=0)  # steps the device's clock is off by
    last_t = models.BigIntegerField(default=-1)  # the step of the last code accepted

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token: object) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            # Only a step after the last accepted one: a code seen once is spent.
            verified = bool(totp.verify(value, self.tolerance, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app reads from a QR code (Key Uri Format)."""
        label = str(self.user.get_username())
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = _setting_text(self, "OTP_TOTP_ISSUER")
        if issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            # RFC 3986 quoting, not quote_plus: some apps show a "+" otherwise.
            params += f"&issuer={quote(issuer)}"
        image = _setting_text(self, "OTP_TOTP_IMAGE")
        if image:
            params += f"&image={quote(image, safe=':/')}"
        return f"otpauth://totp/{quote(label)}?{params}"


def _setting_text(device: TOTPDevice, name: str) -> str | None:
    value = getattr(settings, name, None)
    if callable(value):
        value = value(device)
    return value if isinstance(value, str) and value else None


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"recovery code #{self.pk}"


def normalize_recovery_code(value: str) -> str:
    return "".join(character for character in value.upper() if character.isalnum())
