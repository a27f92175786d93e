from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigie.addresses.ban import HEADER_22, HEADER_23, import_ban_file
from vigie.addresses.demo import DEMO_BAN_FILE
from vigie.addresses.models import BanAddress

pytestmark = pytest.mark.django_db


def row(
    ban_id: str, number: str, *, postcode: str = "99100", lon: str = "2.4", **extra: str
) -> list[str]:
    values = dict.fromkeys(HEADER_23, "")
    values.update(
        id=ban_id, numero=number, nom_voie="Rue des Lilas", code_postal=postcode,
        code_insee="99101", nom_commune="Bourg-lès-Vigies", lon=lon, lat="46.8",
        libelle_acheminement="BOURG LES VIGIES", nom_afnor="RUE DES LILAS",
    )  # fmt: skip
    values.update(extra)
    return [values[name] for name in HEADER_23]


def write(path: Path, rows: list[list[str]], *, header: list[str] = HEADER_23) -> Path:
    lines = [";".join(header)] + [";".join(values) for values in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_imports_good_rows_reports_bad_ones_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ban.csv",
        [
            row("99101_0001_00001", "1"),
            row("99101_0001_00002", "deux"),  # line 3: not a number
            row("99101_0001_00003", "3", postcode="991"),  # line 4: postcode
            row("99101_0001_00004", "4", lon="400"),  # line 5: coordinates
            row("99101_0001_00005", "5", rep="bis"),
            row("99101_0001_00006", "6")[:10],  # line 7: too few columns
        ],
    )

    report = import_ban_file(path)

    assert (report.rows, report.created, report.bad_rows) == (6, 2, 4)
    assert [error.split(":")[0] for error in report.errors] == [
        "line 3",
        "line 4",
        "line 5",
        "line 7",
    ]
    assert "numero" in report.errors[0]
    assert BanAddress.objects.get(ban_id="99101_0001_00005").suffix == "bis"


def test_it_changes_nothing_when_run_twice_and_updates_what_changed(tmp_path: Path) -> None:
    path = write(tmp_path / "ban.csv", [row("99101_0001_00001", "1"), row("99101_0001_00002", "2")])
    import_ban_file(path)

    second = import_ban_file(path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)

    write(path, [row("99101_0001_00001", "1"), row("99101_0001_00002", "2", nom_voie="Rue Neuve")])
    third = import_ban_file(path)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert BanAddress.objects.get(ban_id="99101_0001_00002").street == "Rue Neuve"
    assert BanAddress.objects.count() == 2


def test_it_reads_the_22_column_header_and_gzip(tmp_path: Path) -> None:
    plain = write(tmp_path / "old.csv", [row("99101_0001_00001", "1")[:22]], header=HEADER_22)
    zipped = tmp_path / "old.csv.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))

    report = import_ban_file(zipped)

    assert report.created == 1
    assert report.bad_rows == 0


def test_it_refuses_a_file_that_is_not_a_ban_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name;age\nAlice;30\n")

    with pytest.raises(CommandError, match="unexpected header"):
        call_command("import_ban", str(path), verbosity=0)
    assert not BanAddress.objects.exists()


def test_it_reports_through_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "ban.csv", [row("99101_0001_00001", "1"), row("x", "")])

    call_command("import_ban", str(path))

    captured = capsys.readouterr()
    assert "1 created" in captured.out
    assert "1 bad" in captured.out
    assert "line 3" in captured.err


def test_it_reports_a_row_with_nul_or_bad_bytes_and_keeps_the_others(tmp_path: Path) -> None:
    good = ";".join(row("99101_0001_00001", "1")).encode()
    with_nul = ";".join(row("99101_0001_00002", "2", nom_voie="Rue\x00X")).encode()
    bad_utf8 = ";".join(row("99101_0001_00003", "3")).encode().replace(b"Lilas", b"Lil\xffs")
    after = ";".join(row("99101_0001_00004", "4")).encode()
    path = tmp_path / "ban.csv"
    path.write_bytes(
        b"\n".join([";".join(HEADER_23).encode(), good, with_nul, bad_utf8, after]) + b"\n"
    )

    report = import_ban_file(path)

    assert report.created == 2
    assert [error.split(":")[0] for error in report.errors] == ["line 3", "line 4"]


def test_it_stops_on_a_damaged_gzip_and_says_how_far_it_got(tmp_path: Path) -> None:
    from vigie.addresses.ban import BanFileError

    rows = [row(f"99101_0001_{number:05d}", str(number)) for number in range(1, 3001)]
    plain = write(tmp_path / "big.csv", rows)
    cut = tmp_path / "big.csv.gz"
    cut.write_bytes(gzip.compress(plain.read_bytes())[:-2000])

    with pytest.raises(BanFileError, match="damaged"):
        import_ban_file(cut)
    assert BanAddress.objects.count() > 0  # what came before the damage stays


class Terminal(io.StringIO):
    """What a person running the command sees: a terminal, where the bar is drawn."""

    def isatty(self) -> bool:
        return True


def test_it_shows_a_progress_bar_on_a_terminal_while_importing() -> None:
    rows = sum(1 for _line in DEMO_BAN_FILE.open(encoding="utf-8")) - 1
    out = Terminal()

    call_command("import_ban", str(DEMO_BAN_FILE), stdout=out)

    shown = out.getvalue()
    assert "\r[" + "#" * 30 + "] 100.0 %  " + f"{rows:,} rows" in shown
    assert shown.rstrip().endswith(
        f"{DEMO_BAN_FILE.name}: {rows:,} rows, {rows:,} created, 0 updated, 0 unchanged, 0 bad."
    )


@pytest.mark.parametrize(("stream", "verbosity"), [(io.StringIO, 1), (Terminal, 0)])
def test_it_prints_only_its_summary_in_a_log_or_when_quiet(
    stream: type[io.StringIO], verbosity: int
) -> None:
    out = stream()

    call_command("import_ban", str(DEMO_BAN_FILE), stdout=out, verbosity=verbosity)

    assert "\r" not in out.getvalue()
    assert out.getvalue().count("\n") == 1
    assert out.getvalue().startswith(f"{DEMO_BAN_FILE.name}: ")
