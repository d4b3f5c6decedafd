"""The index server as a client meets it: health, upload auth, no re-uploads, no fallback."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from slipway_index.server import IndexServer, write_htpasswd

from conftest import PASSWORD, USER


def _upload(index: IndexServer, wheel: Path, auth: tuple[str, str] | None) -> int:
    """A legacy-API upload (what twine and `uv publish` send), returning the HTTP status."""
    boundary = uuid.uuid4().hex
    fields = {
        ":action": "file_upload",
        "name": "demo-pkg",
        "version": "1.0.0",
        "protocol_version": "1",
    }
    body = b""
    for key, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{key}"'
        body += f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode()
    body += (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="content"; filename="{wheel.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + wheel.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(index.url, data=body, method="POST")  # noqa: S310 - loopback
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    path = tmp_path / "demo_pkg-1.0.0-py3-none-any.whl"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: the server stores bytes as given
    return path


def test_uploads_need_credentials_and_a_version_is_never_overwritten(
    index: IndexServer, wheel: Path
) -> None:
    assert _upload(index, wheel, None) in {401, 403}, "anonymous upload accepted"
    assert _upload(index, wheel, (USER, "wrong")) in {401, 403}, "wrong password accepted"
    assert not (index.packages / wheel.name).exists()

    assert _upload(index, wheel, (USER, PASSWORD)) == 200
    assert (index.packages / wheel.name).read_bytes() == wheel.read_bytes()
    assert _get(f"{index.simple_url}demo-pkg/") == 200

    wheel.write_bytes(b"PK\x05\x06" + b"\x01" * 18)  # same file name, other content
    assert _upload(index, wheel, (USER, PASSWORD)) == 409, (
        "re-upload of a released version accepted"
    )
    assert (index.packages / wheel.name).read_bytes() != wheel.read_bytes(), (
        "the released file changed"
    )


def test_a_package_it_does_not_hold_is_not_found_never_redirected(index: IndexServer) -> None:
    # pypiserver redirects unknown names to pypi.org unless --disable-fallback.
    assert _get(f"{index.simple_url}slipway-not-published/") == 404


def test_credentials_file_rejects_unusable_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="without ':'"):
        write_htpasswd(tmp_path / "htpasswd", "a:b", "x")
    with pytest.raises(ValueError, match="must not be empty"):
        write_htpasswd(tmp_path / "htpasswd", "user", "")
