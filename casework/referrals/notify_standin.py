"""A stand-in for GOV.UK Notify, served in-process on 127.0.0.1 for tests and the demo.

It answers the few endpoints the letters, compliance notices and reminders use, as Notify's API v2
does: ``POST /v2/notifications/email``, ``POST /v2/notifications/sms``, ``POST
/v2/notifications/letter`` (a precompiled PDF letter, or a template letter addressed by its
personalisation), ``GET /v2/notifications/{id}`` and ``GET /v2/notifications?reference=…`` (the
notifications sent with a reference). It keeps what it is sent in memory only (never on disk,
never logged), checks that a request carries a bearer token, and reports an email or a text
message as delivered and a letter as received by the print provider. Production talks to Notify
itself (``NOTIFY_API_KEY``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# A key in Notify's format (name-service id-secret): the stand-in does not check the signature.
STANDIN_KEY = "casework_standin-6a1d4f3e-2b7c-4d8e-9f10-1a2b3c4d5e6f-0f1e2d3c-4b5a-4968-8776-655443322110"
NOTIFICATION_PATH = re.compile(r"^/v2/notifications/([0-9a-f-]{36})$")


class StandIn:
    """One stand-in server; ``notifications`` holds what it was sent, by id. ``answer_delay`` (seconds)
    holds back the answer to a send after the notification is kept, as a slow network would: a
    client that gives up first has sent it without knowing."""

    def __init__(self) -> None:
        self.notifications: dict[str, dict] = {}
        self.answer_delay = 0.0
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
                sends = {
                    "/v2/notifications/email": standin.email,
                    "/v2/notifications/sms": standin.sms,
                    "/v2/notifications/letter": standin.letter,
                }
                if self.path not in sends:
                    return self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound"}]})
                answer = sends[self.path](payload)
                if standin.answer_delay:
                    time.sleep(standin.answer_delay)
                return self._answer(*answer)

            def do_GET(self):  # noqa: N802 (http.server's name)
                if not self._authorised():
                    return
                url = urlsplit(self.path)
                if url.path == "/v2/notifications":
                    return self._answer(200, standin.listing(parse_qs(url.query)))
                match = NOTIFICATION_PATH.match(self.path)
                found = standin.notifications.get(match[1]) if match else None
                if found is None:
                    return self._answer(
                        404, {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]}
                    )
                return self._answer(200, standin._public(found))

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

    def sms(self, payload: dict) -> tuple[int, dict]:
        if not payload.get("phone_number") or not payload.get("template_id"):
            return 400, {
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": "phone_number and template_id are required"}],
            }
        note = self._store(
            {
                "id": str(uuid.uuid4()),
                "type": "sms",
                "status": "delivered",
                "reference": payload.get("reference"),
                "phone_number": payload["phone_number"],
                "template": {"id": payload["template_id"], "version": 1},
                "personalisation": payload.get("personalisation") or {},
            }
        )
        return 201, {
            "id": note["id"],
            "reference": note["reference"],
            "template": note["template"],
            "content": {"body": "", "from_number": "CLINIC"},
            "uri": f"{self.url}/v2/notifications/{note['id']}",
        }

    @staticmethod
    def _public(notification: dict) -> dict:
        return {k: v for k, v in notification.items() if k not in ("content", "personalisation")}

    def listing(self, query: dict[str, list[str]]) -> dict:
        """``GET /v2/notifications``: newest first, filtered by ``reference`` and ``template_type``."""
        reference = next(iter(query.get("reference") or []), None)
        kind = next(iter(query.get("template_type") or []), None)
        with self.lock:
            found = [
                self._public(n)
                for n in reversed(self.notifications.values())
                if (reference is None or n.get("reference") == reference) and (kind is None or n["type"] == kind)
            ]
        return {"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}}

    def letter(self, payload: dict) -> tuple[int, dict]:
        if payload.get("template_id"):
            return self.template_letter(payload)
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

    def template_letter(self, payload: dict) -> tuple[int, dict]:
        """A letter from a template, addressed by ``address_line_1`` … ``address_line_7`` in its
        personalisation (Notify needs at least three lines, the last a postcode)."""
        personalisation = payload.get("personalisation") or {}
        lines = [personalisation.get(f"address_line_{n}") for n in range(1, 8)]
        lines = [line for line in lines if line]
        if len(lines) < 3:
            return 400, {
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": "Address must be at least 3 lines"}],
            }
        note = self._store(
            {
                "id": str(uuid.uuid4()),
                "type": "letter",
                "status": "received",
                "reference": payload.get("reference"),
                "template": {"id": payload["template_id"], "version": 1},
                "postage": payload.get("postage") or "second",
                "personalisation": personalisation,
            }
        )
        return 201, {
            "id": note["id"],
            "reference": note["reference"],
            "template": note["template"],
            "content": {"subject": "A notice from the clinic", "body": ""},
            "uri": f"{self.url}/v2/notifications/{note['id']}",
            "scheduled_for": None,
        }


_shared: StandIn | None = None
_shared_lock = threading.Lock()


def shared() -> StandIn:
    """The process's stand-in, started the first time it is asked for."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = StandIn().start()
        return _shared
