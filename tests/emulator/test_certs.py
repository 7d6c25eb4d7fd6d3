import ipaddress
import ssl
from pathlib import Path

from cryptography import x509

from emulator.certs import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    client_ssl_context,
    ensure_ca,
    issue_leaf,
    server_ssl_context,
    write_trust_bundle,
)


def test_ca_is_created_once_and_reused(tmp_path: Path) -> None:
    first = ensure_ca(tmp_path)
    second = ensure_ca(tmp_path)
    assert first.cert == second.cert
    assert first.cert_path == (tmp_path / CA_CERT_FILE).resolve()
    assert (tmp_path / CA_KEY_FILE).stat().st_mode & 0o077 == 0
    constraints = first.cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca


def test_ca_is_replaced_when_the_key_does_not_match(tmp_path: Path, ca_dir: Path) -> None:
    original = ensure_ca(tmp_path)
    (tmp_path / CA_KEY_FILE).write_bytes((ca_dir / CA_KEY_FILE).read_bytes())
    assert ensure_ca(tmp_path).cert != original.cert


def test_leaf_is_for_loopback_names(ca_dir: Path) -> None:
    leaf, _key = issue_leaf(ensure_ca(ca_dir))
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)


def test_contexts_and_bundle(ca_dir: Path, tmp_path: Path) -> None:
    ca = ensure_ca(ca_dir)
    assert isinstance(server_ssl_context(ca), ssl.SSLContext)
    assert client_ssl_context(ca.cert_path).verify_mode == ssl.CERT_REQUIRED
    bundle = write_trust_bundle(ca.cert_path, tmp_path / "bundle.pem").read_text()
    assert ca.cert_path.read_text() in bundle
    assert bundle.count("BEGIN CERTIFICATE") > 10
