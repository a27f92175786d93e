"""Check the TLS that `make serve` offers, with sslyze, under production settings.

Starts `make serve` with a new self-signed certificate (EC P-256) and throw-away
production secrets, fetches /healthz over a verified connection, then scans it:

- SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1 refused; TLS 1.2 and TLS 1.3 accepted;
- every TLS 1.2 suite accepted is ECDHE with an AEAD cipher (AES-GCM or
  ChaCha20-Poly1305): no CBC, no RSA key exchange, no 3DES, RC4, NULL or EXPORT;
  every TLS 1.3 suite is one of the three in Mozilla's profiles;
- key exchange on curves of 256 bits or more, no TLS compression, no client-initiated
  renegotiation, extended master secret, TLS_FALLBACK_SCSV, none of Heartbleed,
  CCS injection, ROBOT;
- Strict-Transport-Security with max-age of a year or more and includeSubDomains;
- sslyze's own check against Mozilla's "intermediate" profile, save for the
  certificate (self-signed here; the production certificate is the proxy's or the
  operator's).

granian (rustls) lets Vigie choose the lowest version only (`--ssl-protocol-min
tls1.2`, set by `manage.py serve`); the suites and curves are rustls's defaults, and
this check is what holds them to the above.

Runs in sslyze's own environment (`make tls-check`); prints a short report and
exits 1 on any failure.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from serving import Server, https_server, production_settings
from sslyze import (
    CipherSuitesScanResult,
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    Scanner,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
)
from sslyze.mozilla_tls_profile.tls_config_checker import (
    SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)

ONE_YEAR = 31_536_000
REFUSED = {
    "SSL 2.0": "ssl_2_0_cipher_suites",
    "SSL 3.0": "ssl_3_0_cipher_suites",
    "TLS 1.0": "tls_1_0_cipher_suites",
    "TLS 1.1": "tls_1_1_cipher_suites",
}
ACCEPTED = {"TLS 1.2": "tls_1_2_cipher_suites", "TLS 1.3": "tls_1_3_cipher_suites"}
# ECDHE key exchange, ECDSA or RSA certificate, AEAD cipher: Mozilla's intermediate TLS 1.2
# suites without the DHE ones.
STRONG_TLS_1_2 = re.compile(
    r"TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)"
)
STRONG_TLS_1_3 = {
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
}
COMMANDS = {
    *SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
    ScanCommand.HTTP_HEADERS,
}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: int = 0

    def check(self, ok: bool, text: str) -> None:
        self.lines.append(f"  {'ok  ' if ok else 'FAIL'}  {text}")
        self.failures += not ok


def scan(server: Server) -> ServerScanResult:
    location = ServerNetworkLocation("localhost", server.port, ip_address="127.0.0.1")
    scanner = Scanner()
    scanner.queue_scans([ServerScanRequest(server_location=location, scan_commands=COMMANDS)])
    (result,) = scanner.get_results()
    return result


def suites(result: ServerScanResult, attribute: str) -> CipherSuitesScanResult | None:
    assert result.scan_result
    attempt = getattr(result.scan_result, attribute)
    return attempt.result if attempt.status == ScanCommandAttemptStatusEnum.COMPLETED else None


def judge(result: ServerScanResult, report: Report) -> None:
    if result.scan_status != ServerScanStatusEnum.COMPLETED or not result.scan_result:
        report.check(False, f"sslyze could not scan: {result.connectivity_error_trace}")
        return
    attempts = result.scan_result
    incomplete = sorted(
        command.value
        for command in COMMANDS
        if getattr(attempts, command.value).status != ScanCommandAttemptStatusEnum.COMPLETED
    )
    report.check(
        not incomplete,
        f"every scan completed{': not ' + ', '.join(incomplete) if incomplete else ''}",
    )
    if incomplete:
        return

    for version, attribute in REFUSED.items():
        outcome = suites(result, attribute)
        assert outcome
        report.check(not outcome.is_tls_version_supported, f"{version} refused")
    for version, attribute in ACCEPTED.items():
        outcome = suites(result, attribute)
        assert outcome
        names = [accepted.cipher_suite.name for accepted in outcome.accepted_cipher_suites]
        report.check(outcome.is_tls_version_supported, f"{version} accepted")
        if version == "TLS 1.2":
            weak = [name for name in names if not STRONG_TLS_1_2.fullmatch(name)]
        else:
            weak = [name for name in names if name not in STRONG_TLS_1_3]
        report.check(
            bool(names) and not weak,
            f"{version} suites: {', '.join(names) or 'none'}"
            + (f" (not ECDHE with AEAD: {', '.join(weak)})" if weak else ""),
        )
        small = [
            f"{accepted.cipher_suite.name} ({accepted.ephemeral_key.size} bits)"
            for accepted in outcome.accepted_cipher_suites
            if accepted.ephemeral_key and accepted.ephemeral_key.size < 253  # X25519: 253
        ]
        if small:
            report.check(False, f"{version} key exchange too small: {', '.join(small)}")

    curves = attempts.elliptic_curves.result
    assert curves
    curve_names = [curve.name for curve in curves.supported_curves or []]
    report.check(
        bool(curve_names)
        and all(curve in {"X25519", "secp256r1", "secp384r1"} for curve in curve_names),
        f"key exchange curves: {', '.join(curve_names) or 'none'}"
        " (Mozilla's: X25519, P-256, P-384)",
    )

    compression = attempts.tls_compression.result
    assert compression
    report.check(not compression.supports_compression, "no TLS compression")
    renegotiation = attempts.session_renegotiation.result
    assert renegotiation
    report.check(
        not renegotiation.is_vulnerable_to_client_renegotiation_dos,
        "no client-initiated renegotiation"
        + (", secure renegotiation" if renegotiation.supports_secure_renegotiation else ""),
    )
    ems = attempts.tls_extended_master_secret.result
    fallback = attempts.tls_fallback_scsv.result
    heartbleed = attempts.heartbleed.result
    ccs = attempts.openssl_ccs_injection.result
    robot = attempts.robot.result
    assert ems
    assert fallback
    assert heartbleed
    assert ccs
    assert robot
    report.check(ems.supports_ems_extension, "extended master secret")
    report.check(fallback.supports_fallback_scsv, "downgrade protection (TLS_FALLBACK_SCSV)")
    report.check(
        not heartbleed.is_vulnerable_to_heartbleed and not ccs.is_vulnerable_to_ccs_injection,
        "neither Heartbleed nor CCS injection",
    )
    report.check(
        robot.robot_result.name.startswith("NOT_VULNERABLE"),
        f"ROBOT: {robot.robot_result.name.lower().replace('_', ' ')}",
    )

    headers = attempts.http_headers.result
    assert headers
    hsts = headers.strict_transport_security_header
    report.check(
        hsts is not None and (hsts.max_age or 0) >= ONE_YEAR and hsts.include_subdomains,
        "HSTS "
        + (
            f"max-age={hsts.max_age}"
            + ("; includeSubDomains" if hsts.include_subdomains else "")
            + ("; preload" if hsts.preload else "")
            if hsts
            else "missing"
        )
        + f" (on {headers.http_path_redirected_to or '/'}; a year or more and subdomains wanted)",
    )

    try:
        check_server_against_tls_configuration(
            result, MozillaTlsConfiguration.get(TlsConfigurationEnum.MOZILLA_INTERMEDIATE)
        )
        issues: dict[str, str] = {}
    except ServerNotCompliantWithTlsConfiguration as error:
        issues = {
            key: text for key, text in error.issues.items() if not key.startswith("certificate")
        }
    report.check(
        not issues,
        "Mozilla intermediate profile (certificate aside)"
        + "".join(f"\n          {key}: {text}" for key, text in issues.items()),
    )


def main() -> int:
    # sslyze's bundled trust stores hold old roots that cryptography warns about.
    warnings.filterwarnings("ignore", module="sslyze")
    warnings.filterwarnings("ignore", message="Parsed a serial number")
    data = Path(tempfile.mkdtemp(prefix="vigie-tls-"))
    report = Report()
    started = time.monotonic()
    try:
        with https_server(production_settings(data)) as server:
            with urllib.request.urlopen(
                f"https://localhost:{server.port}/healthz",
                context=server.verified_context(),
                timeout=5,
            ) as answer:
                body = json.loads(answer.read())
            report.check(
                answer.status == 200 and body.get("database") == "ok",
                f"/healthz over verified HTTPS answered {answer.status}, "
                f"database {body.get('database')}",
            )
            scanned = time.monotonic()
            result = scan(server)
            judge(result, report)
            report.lines.append(f"  (scan {time.monotonic() - scanned:.1f} s)")
    except (OSError, RuntimeError) as error:
        report.check(False, f"make serve over HTTPS: {error}")
    took = time.monotonic() - started
    print(f"\nTLS of `make serve` (production settings), checked by sslyze in {took:.0f} s:")
    print("\n".join(report.lines))
    if report.failures:
        print(f"{report.failures} failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
