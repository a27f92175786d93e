"""The privacy policy's lists, drawn from the registry: what the page says is what the
code does (purposes, legal bases, recipients, retention)."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.privacy.registry import Purpose, holdings, purposes


@dataclass(frozen=True)
class PolicySection:
    purpose: Purpose
    data: list[tuple[str, str]]  # (category of data, how long it is kept)


def policy_sections() -> list[PolicySection]:
    every = list(holdings())
    sections = []
    for found in purposes():
        rows: list[tuple[str, str]] = []
        for holding in every:
            if holding.purpose != found.code:
                continue
            row = (str(holding.category), holding.retention.describe())
            if row not in rows:  # several models may hold one category
                rows.append(row)
        sections.append(PolicySection(purpose=found, data=rows))
    return sections
