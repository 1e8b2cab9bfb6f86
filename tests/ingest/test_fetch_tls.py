"""https: dialled at the checked address, while SNI and the certificate check use the name."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imgwired.ingest import FetchFailedError, fetch
from tests.ingest.helpers import (
    LOOPBACK_ONLY,
    Chunks,
    LoopbackServer,
    StubResolver,
    body,
    redirect,
    running_server,
)

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

NAME = "secure.example"


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: Any, issuer_key: Any, *, ca: bool
) -> Any:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for ``secure.example`` signed by it."""
    directory = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imgwired test CA")])
    ca = _certificate("imgwired test CA", ca_key, ca_name, ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(NAME, leaf_key, ca_name, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = directory / "ca.pem", directory / "leaf.pem", directory / "leaf.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def tls_server(
    pki: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LoopbackServer, list[str | None]]]:
    """An https server on 127.0.0.1 that records the SNI names it is offered."""
    ca, leaf, key = pki
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # httpx's default context trusts our CA
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf, key)
    names: list[str | None] = []

    def record_sni(_sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = record_sni
    with running_server(tls=context) as server:
        yield server, names


def test_https_uses_the_name_for_sni_and_host_while_dialling_the_checked_address(
    tls_server: tuple[LoopbackServer, list[str | None]], dialed: list[Any]
) -> None:
    server, names = tls_server
    server.routes["/img"] = body(b"secret-free bytes", content_type="image/webp")
    resolver = StubResolver({NAME: ["127.0.0.1"]})
    sink = Chunks()
    result = fetch(
        f"https://{NAME}:{server.port}/img",
        sink,
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )
    assert b"".join(sink) == b"secret-free bytes"
    assert result.content_type == "image/webp"
    assert names == [NAME]
    assert dialed == [("127.0.0.1", server.port)]
    assert server.requests[0].headers["host"] == f"{NAME}:{server.port}"


def test_the_certificate_is_checked_against_the_name_not_the_pinned_address(
    tls_server: tuple[LoopbackServer, list[str | None]],
) -> None:
    server, _ = tls_server
    server.routes["/img"] = body(b"x")
    resolver = StubResolver({"impostor.example": ["127.0.0.1"]})
    with pytest.raises(
        FetchFailedError, match=r"^the TLS certificate of impostor\.example could not be verified$"
    ):
        fetch(
            f"https://impostor.example:{server.port}/img",
            Chunks(),
            allowed_networks=LOOPBACK_ONLY,
            resolver=resolver,
        )
    assert server.requests == []


def test_an_https_to_http_downgrade_is_followed(
    tls_server: tuple[LoopbackServer, list[str | None]], server: LoopbackServer
) -> None:
    secure, _ = tls_server
    secure.routes["/old"] = redirect(f"http://plain.example:{server.port}/new")
    server.routes["/new"] = body(b"plain")
    resolver = StubResolver({NAME: ["127.0.0.1"], "plain.example": ["127.0.0.1"]})
    result = fetch(
        f"https://{NAME}:{secure.port}/old",
        Chunks(),
        allowed_networks=LOOPBACK_ONLY,
        resolver=resolver,
    )
    assert result.final_url == f"http://plain.example:{server.port}/new"
    assert result.redirects == 1
