"""The OWASP ASVS 5.0 level-2 table of docs/security.md is complete and proven.

docs/asvs-5.0-l2.tsv holds every level 1 and 2 requirement (id, level, our own short
paraphrase), its status and its proof; the Markdown table in docs/security.md must be
exactly its rendering. Every applicable requirement names tests that exist, every
requirement judged not applicable says why, and no row may stay a gap.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "asvs-5.0-l2.tsv"
DOC = ROOT / "docs" / "security.md"
SECTION = "## OWASP ASVS 5.0, level 2"
HEADER = "| id | requirement (paraphrase) | status | where | proof |"
COLUMNS = ["id", "level", "chapter", "paraphrase", "status", "where", "proof", "reason"]
# applies: met, proven by tests (or by a CI step for what a test cannot hold, such as the
# dependency audit); n/a: does not concern Vigie, and why; departure: a deliberate choice
# against the requirement, and its reason (a law, a protocol imposed on us); operational:
# the host's to do (the repository cannot hold it), with the deploy/ page that says how;
# gap: applicable and unproven, which fails the check below.
STATUSES = {"applies", "n/a", "departure", "operational", "gap"}
CI_RUN = ROOT / ".ci" / "run"
MAKEFILE = ROOT / "Makefile"


def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def render(row: dict[str, str]) -> str:
    """The Markdown line of one requirement."""
    proofs = ", ".join(f"`{proof}`" for proof in row["proof"].split())
    proof = "; ".join(part for part in (proofs, row["reason"]) if part)
    cells = [row["id"], row["paraphrase"], row["status"], row["where"] or "-", proof]
    return "| " + " | ".join(cells) + " |"


def table_lines() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/security.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    start = lines.index(HEADER)
    table = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


def _id_key(requirement: str) -> tuple[int, ...]:
    return tuple(int(part) for part in requirement.split("."))


def test_it_holds_each_level_1_and_2_requirement_once_in_order() -> None:
    data = rows()
    ids = [row["id"] for row in data]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", i) for i in ids)
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=_id_key)
    assert {row["level"] for row in data} <= {"1", "2"}
    assert {row["status"] for row in data} <= STATUSES
    for row in data:
        assert row["chapter"].startswith(f"V{row['id'].split('.')[0]} "), row["id"]
        assert row["paraphrase"], row["id"]
    # Every chapter of ASVS 5.0 has level 1 or 2 requirements.
    assert {int(i.split(".")[0]) for i in ids} == set(range(1, 18))


def test_it_shows_in_the_security_doc_exactly_the_rows_of_the_data() -> None:
    expected = [render(row) for row in rows()]
    table = table_lines()
    shown = {line.split("|")[1].strip() for line in table}
    missing = [row["id"] for row in rows() if row["id"] not in shown]
    assert missing == [], f"requirements missing from docs/security.md: {missing}"
    assert table == expected, "regenerate the table: " + "\n".join(
        line for line in expected if line not in table
    )


def _run_by_ci(script: str) -> bool:
    """A CI script that .ci/run calls, itself or through a make target."""
    name = Path(script).name
    if name in CI_RUN.read_text("utf-8"):
        return True
    targets = re.findall(r"^make (\S+)", CI_RUN.read_text("utf-8"), re.MULTILINE)
    makefile = MAKEFILE.read_text("utf-8")
    return any(
        re.search(rf"^{re.escape(target)}:.*\n(?:\t.*\n)*?\t.*{re.escape(name)}", makefile, re.M)
        for target in targets
    )


def test_it_names_existing_tests_as_proofs() -> None:
    broken = []
    for row in rows():
        for proof in row["proof"].split():
            if proof.startswith(".ci/") and "::" not in proof:
                if not ((ROOT / proof).is_file() and _run_by_ci(proof)):
                    broken.append(proof)
                continue
            path, _, function = proof.partition("::")
            file = ROOT / path
            defined = rf"^\s*def {re.escape(function)}\("
            exists = function.startswith("test_it_") and file.is_file()
            if not (exists and re.search(defined, file.read_text("utf-8"), re.MULTILINE)):
                broken.append(proof)
    assert broken == []


def test_it_proves_each_applicable_requirement_and_explains_each_one_left_out() -> None:
    unproven = [r["id"] for r in rows() if r["status"] == "applies" and not r["proof"]]
    unexplained = [
        r["id"]
        for r in rows()
        if r["status"] in {"n/a", "departure", "operational"} and not r["reason"]
    ]
    assert unproven == []
    assert unexplained == []
    for row in rows():
        if row["status"] == "applies":
            assert row["where"], row["id"]
        if row["status"] == "operational":
            # The host's part is written down where operators read it.
            assert "deploy/" in row["where"] or "docs/operations.md" in row["where"], row["id"]


def test_it_leaves_no_applicable_requirement_without_a_test() -> None:
    gaps = [f"{r['id']} ({r['reason']})" for r in rows() if r["status"] == "gap"]
    if gaps:
        pytest.fail(f"{len(gaps)} ASVS requirements without a test:\n" + "\n".join(gaps))
