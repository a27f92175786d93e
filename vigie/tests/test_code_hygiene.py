"""Dangerous calls Vigie's own code never makes (OWASP ASVS V1, V12; docs/security.md).

Read from the syntax tree of every module outside the tests, so a new call fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[-1] == "test.py":
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(tree: ast.Module) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return ""


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_it_finds_the_modules() -> None:
    names = {path.name for path, _ in _modules()}
    assert {"settings.py", "security_log.py", "images.py"} <= names


def test_it_runs_no_dynamic_code_and_no_shell() -> None:
    found = []
    for path, tree in _modules():
        for call in _calls(tree):
            name = _name(call.func)
            if name in {"eval", "exec", "compile", "os.system", "os.popen"}:
                found.append(f"{path}:{call.lineno} {name}")
            for keyword in call.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{path}:{call.lineno} shell=")
            arguments = call.args[0] if call.args else None
            if name.startswith("subprocess.") and not isinstance(arguments, ast.List | ast.Tuple):
                found.append(f"{path}:{call.lineno} {name} without an argument list")
    assert found == []


def test_it_builds_no_sql_from_strings() -> None:
    found = []
    for path, tree in _modules():
        for call in _calls(tree):
            if isinstance(call.func, ast.Attribute) and call.func.attr in {
                "execute",
                "executemany",
                "raw",
                "extra",
            }:
                query = call.args[0] if call.args else None
                if query is not None and not isinstance(query, ast.Constant | ast.Name):
                    found.append(f"{path}:{call.lineno} {ast.unparse(query)[:60]}")
    assert found == []


def test_it_parses_no_xml_and_unpickles_only_its_own_cache() -> None:
    xml = []
    pickles = []
    for path, tree in _modules():
        for module in _imports(tree):
            if module.split(".")[0] in {"xml", "lxml"}:
                xml.append(f"{path} {module}")
            if module.split(".")[0] in {"pickle", "marshal", "shelve", "dill"}:
                pickles.append(path.relative_to(ROOT).as_posix())
    assert xml == []
    assert pickles == ["lib/cache.py"]


def test_it_never_turns_off_certificate_checks_or_marks_text_safe() -> None:
    found = []
    for path, tree in _modules():
        for call in _calls(tree):
            if _name(call.func).split(".")[-1] in {"mark_safe", "SafeString"}:
                found.append(f"{path}:{call.lineno} {_name(call.func)}")
            for keyword in call.keywords:
                if keyword.arg == "verify" and (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{path}:{call.lineno} verify=False")
            if _name(call.func).endswith("_create_unverified_context"):
                found.append(f"{path}:{call.lineno} unverified TLS context")
    assert found == []


def test_it_builds_no_template_from_a_string_and_never_turns_escaping_off() -> None:
    found = []
    for path, tree in _modules():
        for call in _calls(tree):
            if _name(call.func).split(".")[-1] in {"Template", "from_string"}:
                found.append(f"{path}:{call.lineno} {_name(call.func)}")
    for template in sorted(ROOT.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for marker in ("|safe", "autoescape off", "|safeseq"):
            if marker in text:
                found.append(f"{template} {marker}")
    assert found == []


def test_it_makes_every_outbound_http_call_through_the_session_that_refuses_redirects() -> None:
    """ASVS 15.3.2: vigie.lib.outbound is the only way out (each client's test: a 302)."""
    direct = {
        f"requests.{verb}"
        for verb in ("get", "post", "put", "patch", "delete", "head", "request", "Session")
    } | {"requests.session", "urlopen", "urllib.request.urlopen", "http.client.HTTPSConnection"}
    found = []
    for path, tree in _modules():
        if path == ROOT / "lib" / "outbound.py":
            continue
        found += [
            f"{path}:{call.lineno} {_name(call.func)}"
            for call in _calls(tree)
            if _name(call.func) in direct
        ]
        found += [
            f"{path} imports {module}"
            for module in _imports(tree)
            if module in {"httpx", "urllib3", "urllib.request", "aiohttp", "pycurl"}
        ]
    assert found == []
