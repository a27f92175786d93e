"""The privacy API: a person's own data (export, erasure) and the team's registers."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["privacy"])
team_router = Router(tags=["privacy (team)"])
