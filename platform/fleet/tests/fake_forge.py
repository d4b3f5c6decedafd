"""FAKE GitHub/GitLab REST API (a local HTTP server), named as such.

No forge is reachable from this machine, so the pull-request calls are tested
against this stand-in. It implements only the endpoints slipway-fleet calls, checks
the token header, and records every request so tests can count PRs and labels.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


@dataclass
class FakeForge:
    url: str = ""
    token: str = "fake-token"
    pulls: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[int, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)


def _handler(forge: FakeForge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorized(self) -> bool:
            ok = (
                self.headers.get("Authorization") == f"Bearer {forge.token}"
                or self.headers.get("PRIVATE-TOKEN") == forge.token
            )
            if not ok:
                self._reply(401, {"message": "Bad credentials"})
            return ok

        def do_GET(self) -> None:
            forge.requests.append(("GET", self.path))
            if not self._authorized():
                return
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            project = _project(url.path)
            if "source_branch" in query:  # GitLab
                found = [
                    p
                    for p in forge.pulls
                    if p["project"] == project and p["head"] == query["source_branch"]
                ]
            else:  # GitHub: head=owner:branch
                branch = query.get("head", "").split(":", 1)[-1]
                found = [p for p in forge.pulls if p["project"] == project and p["head"] == branch]
            self._reply(200, found)

        def do_POST(self) -> None:
            forge.requests.append(("POST", self.path))
            if not self._authorized():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            path = urlparse(self.path).path
            if path.endswith("/labels"):
                number = int(path.split("/")[-2])
                forge.labels.setdefault(number, []).extend(body["labels"])
                self._reply(200, [{"name": n} for n in body["labels"]])
                return
            number = len(forge.pulls) + 1
            pr = {
                "number": number,
                "iid": number,
                "project": _project(path),
                "head": body.get("head") or body.get("source_branch"),
                "base": body.get("base") or body.get("target_branch"),
                "title": body["title"],
                "draft": body.get("draft", False),
                "labels": body.get("labels", ""),
                "html_url": f"{forge.url}/pull/{number}",
                "web_url": f"{forge.url}/mr/{number}",
            }
            forge.pulls.append(pr)
            self._reply(201, pr)

    return Handler


def _project(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[0] == "repos":  # /repos/{owner}/{repo}/...
        return "/".join(parts[1:3])
    return unquote(parts[1])  # /projects/{url-encoded path}/...


@contextmanager
def fake_forge() -> Iterator[FakeForge]:
    forge = FakeForge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forge))
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
