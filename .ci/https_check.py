"""Serve Vigie over HTTPS with `make serve` and a self-signed certificate, then fetch /healthz.

Runs in a throw-away data folder with the demo's profile; fails unless the answer
comes over TLS, verified against the certificate just made. `.ci/tls_check.py` does
the same under production settings and checks the TLS configuration itself.
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from pathlib import Path

from serving import development_settings, https_server


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="vigie-https-"))
    try:
        with (
            https_server(development_settings(data)) as server,
            urllib.request.urlopen(
                f"https://localhost:{server.port}/healthz",
                context=server.verified_context(),
                timeout=5,
            ) as answer,
        ):
            body = json.loads(answer.read())
            print(f"HTTPS /healthz answered {answer.status}: {body}")
            return 0 if answer.status == 200 and body["database"] == "ok" else 1
    except (OSError, RuntimeError) as error:
        print(f"HTTPS check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
