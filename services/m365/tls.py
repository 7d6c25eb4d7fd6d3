"""Trust for outbound HTTPS (Graph and sign-in): the system CAs plus `CA_BUNDLE` (DESIGN 3.2).

httpx and aiohttp take an `ssl.SSLContext`. requests (and so MSAL) takes one PEM
file, and on a machine that sets `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE` it ignores
a session's `verify=` unless the session's `trust_env` is off (playground notes,
MSAL section). So MSAL gets a session with `trust_env = False` whose `verify` is
a bundle file holding the system CAs and `CA_BUNDLE`, written once per content
under a temporary directory. Proxies from the environment still apply (with
`no_proxy`), request by request.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import tempfile
from pathlib import Path
from typing import Any

import certifi
import requests
from requests.utils import get_environ_proxies

DEFAULT_TIMEOUT_SECONDS = 10.0


def system_ca_file() -> Path:
    """The PEM file of the system's trusted CAs (OpenSSL's default), else certifi's."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return Path(certifi.where())


def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """A client context trusting the system CAs and, if given, the CAs in `ca_bundle`."""
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    if not (paths.cafile or (paths.capath and Path(paths.capath).is_dir())):
        context.load_verify_locations(cafile=certifi.where())
    if ca_bundle is not None:
        context.load_verify_locations(cafile=str(ca_bundle))
    return context


def trust_bundle(ca_bundle: Path | None, directory: Path | None = None) -> Path:
    """One PEM file with the system CAs plus `ca_bundle` (the system file itself if none).

    The file is named by its content, written atomically, and reused: several
    processes (or instances) can call this at once.
    """
    system = system_ca_file()
    if ca_bundle is None:
        return system
    content = system.read_bytes().rstrip(b"\n") + b"\n" + Path(ca_bundle).read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:24]
    folder = directory or Path(tempfile.gettempdir()) / "pivot-scheduling-tls"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"trust-{digest}.pem"
    if target.is_file() and target.read_bytes() == content:
        return target
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".trust-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


class TrustedSession(requests.Session):
    """A requests session that verifies with one bundle whatever the environment says.

    `trust_env` is off so `REQUESTS_CA_BUNDLE` cannot replace `verify`; proxies
    from the environment are still honoured (with `no_proxy`). Every request
    gets a timeout, so a dead identity provider fails fast.
    """

    def __init__(self, verify: Path, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = str(verify)
        self._timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        if kwargs.get("proxies") is None:
            kwargs["proxies"] = get_environ_proxies(url if isinstance(url, str) else url.decode())
        return super().request(method, url, *args, **kwargs)


def requests_session(
    ca_bundle: Path | None, *, directory: Path | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> requests.Session:
    """The session MSAL should use (`http_client=`): system CAs + `ca_bundle`."""
    return TrustedSession(trust_bundle(ca_bundle, directory), timeout)
