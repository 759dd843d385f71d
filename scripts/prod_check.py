"""Crawl the production configuration over HTTP, as the cast of the test suite.

Run by ``scripts/prod-check.sh`` (``make prod-check``), which starts the service exactly as the
README tells an operator to. Three steps:

``seed OUT.json``
    With the production settings (environment variables), fill a fresh database with the test
    cast and the records the authorisation matrix asks about (``casework/core/tests/
    matrix_world.py``), give every member of the cast an authenticator app (a TOTP device), and
    write the URLs, expected answers and sign-in details to ``OUT.json``. Refuses a database that
    already has users: it is for a database made for the check.

``crawl WORLD.json --base http://127.0.0.1:PORT``
    Sign in as every member of the cast through the real sign-in pages (password, then a security
    code computed from the device's key by the same library the service checks it with), request
    every URL of the matrix as every member, and check the security headers and cookie flags on
    the answers. Every request carries ``X-Forwarded-Proto: https`` and the public host name, as a
    TLS-terminating load balancer would send them. Fails on any answer of 500 or more, on an answer
    the matrix does not expect, on a missing header or a cookie without its flags.

``outage --base http://127.0.0.1:PORT``
    Against a service whose database refuses connections: pages answer the service's own 503 page
    (not the web server's bare error page) and ``/healthz`` answers 503 naming the database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("PROD_CHECK_HOST", "casework.example.nhs.uk")
TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSET_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')

# What every answer must carry, and what the Content Security Policy must say.
REQUIRED_HEADERS = {
    "Strict-Transport-Security": re.compile(r"max-age=(3153600\d|[4-9]\d{7}|\d{9,}).*includeSubDomains"),
    "X-Content-Type-Options": re.compile(r"^nosniff$"),
    "Referrer-Policy": re.compile(r"^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$"),
    "X-Frame-Options": re.compile(r"^DENY$"),
    "Cross-Origin-Opener-Policy": re.compile(r"^same-origin$"),
}
CSP_MUST = ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'")


# --- seed ---------------------------------------------------------------------------------------


def seed(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework.accounts.models import User
    from casework.accounts.tests.factories import TEST_PASSWORD
    from casework.core.tests.matrix_world import build_world
    from casework.core.tests.test_authorisation_matrix import load_table
    from conftest import CAST_ROLES, make_cast

    if not settings.PRODUCTION:
        raise SystemExit("prod_check seed runs with the production settings (CASEWORK_ENV=production)")
    if User.objects.exists():
        raise SystemExit("prod_check seed fills only a fresh database made for the check; this one has users")
    with transaction.atomic():
        cast = make_cast()
        world = build_world(cast)
        users = {}
        for role in CAST_ROLES[1:]:
            user = cast.by_name(role)
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            users[role] = {"email": user.email, "totp_key": device.key}
    urls = [
        {
            "name": name,
            "url": reverse(name, kwargs=world.kwargs_for(name) or None),
            "expected": {role: int(row[role]) for role in CAST_ROLES},
        }
        for name, row in sorted(load_table().items())
    ]
    out.write_text(json.dumps({"password": TEST_PASSWORD, "roles": CAST_ROLES, "users": users, "urls": urls}, indent=1))
    print(f"Seeded the cast ({len(users)} users) and the matrix world; {len(urls)} URLs")


# --- HTTP ---------------------------------------------------------------------------------------


class Browser:
    """One person's browser behind the load balancer: keeps cookies, follows no redirects."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.address = (parts.hostname, parts.port or 80)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}  # sent with every request (an API client's Authorization)
        self.set_cookies: list[str] = []
        self.connection = http.client.HTTPConnection(*self.address, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "User-Agent": "casework-prod-check", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{path}",
                }
            )
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection: open a new one, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(*self.address, timeout=60)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, dict(response.headers.items()), text

    def post_form(self, path: str, fields: dict) -> tuple[int, dict, str]:
        status, _, page = self.request("GET", path)
        found = TOKEN_FIELD.search(page)
        if status != 200 or not found:
            raise SystemExit(f"GET {path} answered {status} without a form to fill")
        return self.request("POST", path, {"csrfmiddlewaretoken": found[1], **fields})


def totp_code(key_hex: str) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6).token():06d}"


def sign_in(browser: Browser, user: dict, password: str) -> None:
    status, headers, _ = browser.post_form("/sign-in/", {"email": user["email"], "password": password})
    if status != 302:
        raise SystemExit(f"Signing in as {user['email']} answered {status}, not a redirect to the security code")
    status, headers, _ = browser.post_form("/sign-in/security-code/", {"code": totp_code(user["totp_key"])})
    if status != 302:
        raise SystemExit(f"The security code for {user['email']} answered {status}, not a redirect")
    status, _, _ = browser.request("GET", "/")
    if status != 200:
        raise SystemExit(f"My work answered {status} for {user['email']} after signing in")


# --- checks -------------------------------------------------------------------------------------


def header_problems(path: str, status: int, headers: dict) -> list[str]:
    problems = []
    for name, pattern in REQUIRED_HEADERS.items():
        value = headers.get(name)
        if value is None or not pattern.search(value):
            problems.append(f"{path} ({status}): {name} is {value!r}")
    if headers.get("Content-Type", "").startswith("text/html"):
        csp = headers.get("Content-Security-Policy", "")
        missing = [d for d in CSP_MUST if d not in csp]
        if missing or "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append(f"{path}: Content-Security-Policy {csp!r} lacks {missing} or allows inline code")
    return problems


def cookie_problems(set_cookies: list[str]) -> list[str]:
    problems = []
    for header in set_cookies:
        name = header.split("=", 1)[0]
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
        if not name.startswith("__Host-"):
            problems.append(f"cookie {name} lacks the __Host- prefix")
        if "secure" not in flags:
            problems.append(f"cookie {name} is not Secure")
        if "httponly" not in flags:
            problems.append(f"cookie {name} is not HttpOnly")
        if flags.get("samesite", "").lower() not in ("samesite=lax", "samesite=strict"):
            problems.append(f"cookie {name} has no SameSite=Lax or Strict")
        if "domain" in flags or flags.get("path") != "Path=/":
            problems.append(f"cookie {name} must have Path=/ and no Domain (__Host- rules)")
    return problems


def crawl_as(role: str, world: dict, base: str) -> dict:
    browser = Browser(base)
    if role != "anonymous":
        sign_in(browser, world["users"][role], world["password"])
    errors, unexpected, headers_wrong = [], [], []
    for entry in world["urls"]:
        status, headers, _ = browser.request("GET", entry["url"])
        if status >= 500:
            errors.append(f"{role} GET {entry['url']} ({entry['name']}): {status}")
        elif status != entry["expected"][role]:
            unexpected.append(
                f"{role} GET {entry['url']} ({entry['name']}): {status}, the matrix says {entry['expected'][role]}"
            )
        headers_wrong += header_problems(entry["url"], status, headers)
    return {
        "role": role,
        "requests": len(world["urls"]),
        "errors": errors,
        "unexpected": unexpected,
        "headers": headers_wrong,
        "cookies": cookie_problems(browser.set_cookies),
    }


def static_problems(base: str) -> list[str]:
    """The layout's stylesheet, script and icons are served (hashed names, from the manifest)."""
    browser = Browser(base)
    _, _, page = browser.request("GET", "/sign-in/")
    assets = sorted(set(ASSET_LINK.findall(page)))
    problems = [] if len(assets) >= 5 else [f"the sign-in page names only {len(assets)} static files"]
    for path in assets:
        status, headers, _ = browser.request("GET", path)
        if status != 200:
            problems.append(f"static file {path} answered {status}")
    return problems


def crawl(world_file: Path, base: str, workers: int) -> int:
    world = json.loads(world_file.read_text())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda role: crawl_as(role, world, base), world["roles"]))
    problems = static_problems(base)
    total = sum(r["requests"] for r in results)
    for result in results:
        print(
            f"{result['role']:>16}: {result['requests']} URLs, {len(result['errors'])} server errors, "
            f"{len(result['unexpected'])} unexpected answers"
        )
        problems += result["errors"] + result["unexpected"] + result["headers"] + result["cookies"]
    print(
        f"{total} requests in {time.monotonic() - started:.0f} s; "
        f"{sum(len(r['errors']) for r in results)} answers of 500 or more"
    )
    for problem in sorted(set(problems)):
        print("  FAIL", problem)
    return 1 if problems else 0


def outage(base: str) -> int:
    """The database refuses connections: the service's own pages, and /healthz says why."""
    problems = []
    browser = Browser(base)
    browser.cookies["__Host-casework_session"] = "s" * 32
    for path in ("/", "/cases/", "/sign-in/"):
        status, headers, page = browser.request("GET", path)
        if status != 503 or "Sorry, the service is unavailable" not in page:
            problems.append(f"GET {path} with the database down answered {status}: {page[:120]!r}")
        problems += header_problems(path, status, headers)
    status, _, body = Browser(base).request("GET", "/healthz")
    if status != 503 or "the database cannot be reached" not in body:
        problems.append(f"/healthz with the database down answered {status}: {body[:200]!r}")
    for problem in problems:
        print("  FAIL", problem)
    print("Database outage: " + ("the service's own 503 pages" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("out", type=Path)
    crawling = commands.add_parser("crawl")
    crawling.add_argument("world", type=Path)
    crawling.add_argument("--base", required=True)
    crawling.add_argument("--workers", type=int, default=3)
    down = commands.add_parser("outage")
    down.add_argument("--base", required=True)
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.out)
        return 0
    if args.command == "crawl":
        return crawl(args.world, args.base, args.workers)
    return outage(args.base)


if __name__ == "__main__":
    sys.exit(main())
