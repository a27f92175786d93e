"""The moderation team's rights in the admin: one group, whose permissions are listed here.

Staff accounts join it when they are created; rights are read-only except
where the team's work needs a change (checking a typed address). Writing
elsewhere goes through Vigie's own team pages and their audited actions.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MODERATORS = "Moderators"

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "addresses": ("view_address", "change_address", "view_banaddress"),
    "verification": ("view_letter", "view_activationcode"),
    "audit": ("view_auditevent",),
    "notifications": ("view_outgoingemail", "view_delivery"),
}


def moderators_group() -> Group:
    group, _created = Group.objects.get_or_create(name=MODERATORS)
    wanted = Q()
    for app_label, codenames in PERMISSIONS.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group
