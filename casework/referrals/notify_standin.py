"""A stand-in for GOV.UK Notify, served in-process on 127.0.0.1 for tests and the demo.

It answers the few endpoints the letters use, as Notify's API v2 does: ``POST
/v2/notifications/email``, ``POST /v2/notifications/letter`` (a precompiled PDF letter) and ``GET
/v2/notifications/{id}``. It keeps what it is sent in memory only (never on disk, never logged),
checks that a request carries a bearer token, and reports an email as delivered and a letter as
received by the print provider. Production talks to Notify itself (``NOTIFY_API_KEY``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A key in Notify's format (name-service id-secret): the stand-in does not check the signature.
STANDIN_KEY = "casework_standin-6a1d4f3e-2b7c-4d8e-9f10-1a2b3c4d5e6f-0f1e2d3c-4b5a-4968-8776-655443322110"
NOTIFICATION_PATH = re.compile(r"^/v2/notifications/([0-9a-f-]{36})$")


class StandIn:
    """One stand-in server; ``notifications`` holds what it was sent, by id."""

    def __init__(self) -> None:
        self.notifications: dict[str, dict] = {}
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 (the base class's name)
                pass  # what is sent is personal data: nothing is logged

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._answer(
                        403,
                        {
                            "status_code": 403,
                            "errors": [
                                {"error": "AuthError", "message": "Unauthorized: authentication token must be provided"}
                            ],
                        },
                    )
                    return False
                return True

            def do_POST(self):  # noqa: N802 (http.server's name)
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._answer(
                        400, {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Invalid JSON"}]}
                    )
                if self.path == "/v2/notifications/email":
                    return self._answer(*standin.email(payload))
                if self.path == "/v2/notifications/letter":
                    return self._answer(*standin.letter(payload))
                return self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound"}]})

            def do_GET(self):  # noqa: N802 (http.server's name)
                if not self._authorised():
                    return
                match = NOTIFICATION_PATH.match(self.path)
                found = standin.notifications.get(match[1]) if match else None
                if found is None:
                    return self._answer(
                        404, {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]}
                    )
                return self._answer(200, {k: v for k, v in found.items() if k not in ("content", "personalisation")})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="notify-standin", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        assert isinstance(host, str)  # bound to an IP address above, not a Unix socket
        return f"http://{host}:{port}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _store(self, notification: dict) -> dict:
        with self.lock:
            self.notifications[notification["id"]] = notification
        return notification

    def email(self, payload: dict) -> tuple[int, dict]:
        if not payload.get("email_address") or not payload.get("template_id"):
            return 400, {
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": "email_address and template_id are required"}],
            }
        note = self._store(
            {
                "id": str(uuid.uuid4()),
                "type": "email",
                "status": "delivered",
                "reference": payload.get("reference"),
                "email_address": payload["email_address"],
                "template": {"id": payload["template_id"], "version": 1},
                "personalisation": payload.get("personalisation") or {},
            }
        )
        return 201, {
            "id": note["id"],
            "reference": note["reference"],
            "template": note["template"],
            "content": {"subject": "A letter from the clinic", "body": "", "from_email": "clinic@notify.example"},
            "uri": f"{self.url}/v2/notifications/{note['id']}",
        }

    def letter(self, payload: dict) -> tuple[int, dict]:
        try:
            pdf = base64.b64decode(payload.get("content") or "", validate=True)
        except ValueError:
            pdf = b""
        if not payload.get("reference") or not pdf.startswith(b"%PDF-"):
            return 400, {
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": "reference and a PDF content are required"}],
            }
        note = self._store(
            {
                "id": str(uuid.uuid4()),
                "type": "letter",
                "status": "received",
                "reference": payload["reference"],
                "postage": payload.get("postage") or "second",
                "content": pdf,
            }
        )
        return 201, {"id": note["id"], "reference": note["reference"], "postage": note["postage"]}


_shared: StandIn | None = None
_shared_lock = threading.Lock()


def shared() -> StandIn:
    """The process's stand-in, started the first time it is asked for."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = StandIn().start()
        return _shared
