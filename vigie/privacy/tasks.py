from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vigie.operations import periodic
from vigie.privacy import actions, retention


@task()
def build_data_export(export_id: int) -> int:
    data_export = actions.do_build_data_export(export_id)
    return data_export.size if data_export is not None else 0


@task()
def retry_stalled_exports() -> int:
    return actions.do_retry_stalled_exports()


@task()
def purge_expired() -> dict[str, int]:
    return {outcome.rule: outcome.removed for outcome in retention.purge_expired()}


periodic.register("purge_expired", every=timedelta(days=1), task=purge_expired)
periodic.register("retry_stalled_exports", every=timedelta(minutes=15), task=retry_stalled_exports)
