"""Write Vigie's SBOM: CycloneDX 1.6 JSON of Vigie and what it needs at run time, as installed.

`cyclonedx-py environment` describes every distribution in Vigie's environment: the
development tools too, and anything else installed there by hand. This keeps the
root component (Vigie, from pyproject.toml) and the distributions its runtime
dependencies need (`.ci/dependencies.py`: the `dev` extra left out), draws the
dependency graph from their own requirements (markers and extras evaluated),
validates the document against the CycloneDX 1.6 JSON schema, and checks that it
lists every one of those distributions at its installed version, Django 5.2 among them.

    .venv/bin/python .ci/sbom.py [OUTPUT]      (default: dist/sbom.cdx.json)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from dependencies import ROOT, NotInstalled, closure
from packaging.utils import canonicalize_name

DEFAULT_OUTPUT = ROOT / "dist" / "sbom.cdx.json"
ROOT_REF = "root-component"  # the bom-ref cyclonedx-py gives the --pyproject component


def generate(path: Path) -> dict:
    tool = Path(sys.executable).parent / "cyclonedx-py"
    # Its only warning says it did not validate: done below, once filtered.
    completed = subprocess.run(
        [
            tool,
            "environment",
            sys.executable,
            *("--pyproject", ROOT / "pyproject.toml", "--spec-version", "1.6"),
            *("--output-format", "JSON", "--output-file", path),
            "--no-validate",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"cyclonedx-py failed: {completed.stderr.strip()}")
    return json.loads(path.read_text())


def main() -> int:
    started = time.monotonic()
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    try:
        runtime = closure()
        runtime.pop(canonicalize_name("vigie"), None)
        with tempfile.TemporaryDirectory() as folder:
            bom = generate(Path(folder) / "environment.cdx.json")
    except (NotInstalled, RuntimeError) as error:
        print(f"SBOM not written: {error}", file=sys.stderr)
        return 1

    problems: list[str] = []
    root = bom["metadata"]["component"]
    if root.get("bom-ref") != ROOT_REF or root.get("name") != "vigie":
        problems.append(f"unexpected root component: {root.get('name')} {root.get('bom-ref')}")
    kept: dict[str, dict] = {}
    for component in bom["components"]:
        key = canonicalize_name(component["name"])
        if key in runtime:
            kept[key] = component
            if component.get("version") != runtime[key].version:
                problems.append(
                    f"{component['name']} {component.get('version')} in the SBOM, "
                    f"{runtime[key].version} installed"
                )
    problems += [f"{runtime[key].pin} missing from the SBOM" for key in runtime if key not in kept]
    bom["components"] = [kept[key] for key in sorted(kept)]

    # The graph from the requirements themselves: cyclonedx-py links a distribution to
    # everything its extras could need, whether those extras are wanted or not.
    reference = {key: component["bom-ref"] for key, component in kept.items()}
    children: dict[str, set[str]] = {ROOT_REF: set(), **{ref: set() for ref in reference.values()}}
    for key, installed in runtime.items():
        for parent in installed.required_by:
            parent_key = canonicalize_name(parent)
            parent_ref = ROOT_REF if parent_key == "vigie" else reference.get(parent_key)
            if parent_ref and key in reference:
                children[parent_ref].add(reference[key])
    bom["dependencies"] = [
        {"ref": ref, "dependsOn": sorted(depends)} if depends else {"ref": ref}
        for ref, depends in sorted(children.items())
    ]

    text = json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
    invalid = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if invalid is not None:
        problems.append(f"not valid CycloneDX 1.6: {invalid}")
    django = kept.get(canonicalize_name("django"))
    if not django or not str(django.get("version", "")).startswith("5.2."):
        problems.append(f"Django 5.2 not listed (found {django and django.get('version')})")
    if problems or not django:
        print("SBOM not written:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(
        f"SBOM written to {output}: CycloneDX {bom['specVersion']} JSON, valid; "
        f"{root['name']} {root.get('version')} and the {len(kept)} distributions it runs with "
        f"(Django {django['version']} among them), {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
