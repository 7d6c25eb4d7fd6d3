"""The emulator's own certificate authority and its HTTPS server certificate.

MSAL insists on https, so the emulator serves TLS with a leaf certificate for
127.0.0.1 and localhost, signed by a local CA written as `ca.pem`. The CA is
reused across runs (clients trust it once); the leaf is issued fresh each start.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from emulator.files import atomic_write, directory_lock

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CA_LIFETIME = timedelta(days=3650)
CA_MIN_REMAINING = timedelta(days=30)
LEAF_LIFETIME = timedelta(days=365)
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class CertificateAuthority:
    """The CA's certificate and private key, and where the certificate lives."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    cert_path: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pivot Microsoft 365 emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _new_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(tz=UTC)
    name = _name("Pivot M365 emulator local CA")
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _load_ca(cert_path: Path, key_path: Path) -> CertificateAuthority | None:
    """The stored CA, or None when absent, unreadable, mismatched or expiring."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return None
    if cert.not_valid_after_utc - datetime.now(tz=UTC) < CA_MIN_REMAINING:
        return None
    return CertificateAuthority(cert=cert, key=key, cert_path=cert_path)


def ensure_ca(ca_dir: str | Path) -> CertificateAuthority:
    """Reuse the CA in `ca_dir`, or create and store a new one."""
    directory = Path(ca_dir).resolve()
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    with directory_lock(directory):
        existing = _load_ca(cert_path, key_path)
        if existing is not None:
            return existing
        cert, key = _new_ca()
        atomic_write(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            mode=0o600,
        )
        atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return CertificateAuthority(cert=cert, key=key, cert_path=cert_path)


def issue_leaf(
    ca: CertificateAuthority, hosts: tuple[str, ...] = DEFAULT_HOSTS
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A server certificate for `hosts` (IP addresses and DNS names) signed by the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(tz=UTC)
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + LEAF_LIFETIME)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return cert, key


def server_ssl_context(ca: CertificateAuthority, hosts: tuple[str, ...] = DEFAULT_HOSTS) -> ssl.SSLContext:
    """A server-side SSLContext presenting a fresh leaf certificate for `hosts`."""
    cert, key = issue_leaf(ca, hosts)
    pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    fd, tmp = tempfile.mkstemp(prefix="emulator-leaf-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        context.load_cert_chain(tmp)
    finally:
        os.unlink(tmp)
    return context


def client_ssl_context(ca_path: str | Path) -> ssl.SSLContext:
    """A client SSLContext trusting the system CAs plus the emulator's CA."""
    context = ssl.create_default_context()
    context.load_verify_locations(str(ca_path))
    return context


def write_trust_bundle(ca_path: str | Path, dest: str | Path) -> Path:
    """Write system CAs (certifi) plus the emulator CA to one PEM file.

    requests (and so MSAL) needs one bundle file: see the playground notes on
    `http_client=` with `trust_env = False`.
    """
    target = Path(dest)
    system = Path(certifi.where()).read_bytes()
    atomic_write(target, system.rstrip(b"\n") + b"\n" + Path(ca_path).read_bytes())
    return target
