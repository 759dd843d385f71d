"""Every form and every import, driven with generated hostile values (hypothesis): 0 server errors.

For each URL of the authorisation matrix, the page is fetched as a member of the cast who may use
it; every form on it (POST and GET) is read from the HTML, and hypothesis fills its fields with
hostile values: huge strings, NUL and other control characters, unicode oddities (right-to-left
marks, zero-width joiners, combining marks, non-ASCII digits), huge and negative numbers, absurd
dates, and the page's own valid values mixed in so that validation reaches past the first field.
URLs that take only a POST get generated fields too, and the JSON endpoints generated bodies. The
incident import is driven with generated tables, pasted and uploaded, and with arbitrary bytes.

Runs on whichever database the suite runs on (SQLite, and PostgreSQL in CI). The number of
examples per URL is ``CASEWORK_HOSTILE_EXAMPLES`` (default 8); raise it for a longer hunt.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.core.tests.test_authorisation_matrix import load_table
from conftest import CAST_ROLES

EXAMPLES = int(os.environ.get("CASEWORK_HOSTILE_EXAMPLES", "8"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD_UNICODE = [
    "\u202e",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u0301" * 50,
    "\U0001f600",
    "\u0663\u0660",
    "\uffff",
    "\u2028",
    "Ω" * 3,
    "𝟘𝟙",
    "ß",
    "İ",
    "\u00a0",
]
NUMBERS = ["-1", "0", "9" * 30, "-" + "9" * 30, "1e309", "NaN", "inf", "0x1F", "1_000", " 7 ", "\u0663"]
DATE_PARTS = ["0", "00", "0001", "0000", "9999", "99999", "31", "32", "13", "-1", "9" * 20, "\u0663\u0661", "1.5"]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=20),
    st.sampled_from(ODD_UNICODE + NUMBERS),
    st.integers(min_value=0, max_value=12_000).map(lambda n: "x" * n),
    st.from_regex(r"\A(=|\+|-|@)[A-Z0-9(),]{0,20}\Z"),
)


class FormReader(HTMLParser):
    """The forms on a page: method, action and fields (with the values the page offers)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                    "multipart": "multipart" in (attrs.get("enctype") or ""),
                }
            )
            return
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select and self.forms:
                self.forms[-1]["fields"].setdefault(self._select, {"kind": "select", "values": []})["values"].append(
                    attrs.get("value") or ""
                )
            return
        fields = self.forms[-1]["fields"]
        name = attrs["name"]
        if tag == "select":
            self._select = name
            fields.setdefault(name, {"kind": "select", "values": []})
        elif tag == "textarea":
            fields[name] = {"kind": "text", "values": [""]}
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            entry = fields.setdefault(name, {"kind": kind, "values": []})
            entry["values"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(page: str) -> list[dict]:
    reader = FormReader()
    reader.feed(page)
    return reader.forms


def field_value(draw, name: str, field: dict):
    offered = [v for v in field["values"] if v is not None]
    if name in ("csrfmiddlewaretoken", "idempotency_token") and offered:
        return offered[0]
    if field["kind"] == "file":
        return SimpleUploadedFile("hostile.csv", draw(st.binary(max_size=300)), content_type="text/csv")
    if name.endswith(("_day", "_month", "_year")):
        return draw(st.one_of(st.sampled_from(DATE_PARTS), st.sampled_from(offered or [""]), hostile_text))
    if offered and draw(st.booleans()):
        return draw(st.sampled_from(offered))
    if field["kind"] in ("checkbox",) and offered and draw(st.booleans()):
        return draw(st.lists(st.sampled_from(offered + ["999999", "x"]), max_size=4))
    return draw(hostile_text)


# Megabytes of text, in at most one field of a request (more would only be refused by the size cap).
MEGABYTES = "x" * 1_200_000


@st.composite
def filled(draw, form: dict) -> dict:
    data = {name: field_value(draw, name, field) for name, field in form["fields"].items()}
    text_fields = [n for n, f in form["fields"].items() if f["kind"] in ("text", "email", "search", "tel")]
    if text_fields and draw(st.integers(0, 5)) == 0:
        data[draw(st.sampled_from(text_fields))] = MEGABYTES
    return data


def _role_for(row: dict[str, str], statuses: tuple[str, ...]) -> str | None:
    return next((role for role in CAST_ROLES[1:] if row[role] in statuses), None)


def _target(url: str, form: dict) -> str:
    action = form["action"]
    return urlsplit(action).path if action and not action.startswith("#") else url


def _assert_answered(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# A fixed battery first, so that every field meets each of these whatever hypothesis draws: the value
# in every text field at once (the choices keep the page's own values, so that validation reaches the
# form's and the service's own checks), and each date as the parts given.
CANNED_TEXT = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202e\u200b",
    "9" * 20,
    "-" + "9" * 20,
    "0001",
    "0",
    "NaN",
    "x" * 12_000,
    "=HYPERLINK(1)",
    "\U0001f600" * 300,
    "  ",
]
CANNED_DATES = [
    ("9" * 20, "1", "2000"),
    ("1", "9" * 20, "2000"),
    ("1", "1", "9" * 20),
    ("1", "1", "0001"),
    ("31", "12", "9999"),
    ("29", "2", "2023"),
    ("\u0663", "1", "2000"),
    ("-1", "1", "2000"),
    ("1", "1", "1899"),
    ("0", "0", "0000"),
]
TEXT_KINDS = ("text", "email", "search", "tel", "password", "hidden", "number", "url")


def _offered(name: str, field: dict) -> str:
    values = [v for v in field["values"] if v]
    return values[0] if values else ""


def battery(form: dict) -> list[dict]:
    fields = form["fields"]
    keep = {"csrfmiddlewaretoken", "idempotency_token"}
    base = {name: _offered(name, field) for name, field in fields.items() if field["kind"] != "file"}
    texts = [
        n
        for n, f in fields.items()
        if f["kind"] in TEXT_KINDS and n not in keep and not n.endswith(("_day", "_month", "_year"))
    ]
    dates = sorted({n.rsplit("_", 1)[0] for n in fields if n.endswith(("_day", "_month", "_year"))})
    runs = [{**base, **dict.fromkeys(texts, value)} for value in CANNED_TEXT] if texts else []
    for day, month, year in CANNED_DATES if dates else []:
        runs.append(
            {
                **base,
                **{
                    part: value
                    for d in dates
                    for part, value in ((f"{d}_day", day), (f"{d}_month", month), (f"{d}_year", year))
                },
            }
        )
    return runs


def drive_form(client: Client, form: dict, target: str, url_name: str) -> None:
    for data in battery(form):
        send = client.post if form["method"] == "post" else client.get
        _assert_answered(send(target, data), f"{form['method'].upper()} {target} ({url_name}) with {data}"[:3000])

    @HYPOTHESIS
    @given(data=filled(form))
    def send(data):
        if form["method"] == "post":
            response = client.post(target, data)
        else:
            response = client.get(target, {k: v for k, v in data.items() if isinstance(v, str | list)})
        _assert_answered(response, f"{form['method'].upper()} {target} ({url_name}) with {sorted(data)}")

    send()


def drive_post_only(client: Client, url: str, url_name: str) -> None:
    json_endpoint = "options" in url_name or "verify" in url_name

    @HYPOTHESIS
    @given(
        data=st.dictionaries(
            st.sampled_from(["reason", "next", "confirm", "target", "code", "name", "q"]), hostile_text, max_size=4
        ),
        body=hostile_text,
    )
    def send(data, body):
        response = client.post(url, body, content_type="application/json") if json_endpoint else client.post(url, data)
        _assert_answered(response, f"POST {url} ({url_name})")

    send()


def drive_url(url_name: str, world, clients) -> int:
    """Fill every form of one URL's page with hostile values; the number of forms driven."""
    row = load_table()[url_name]
    url = reverse(url_name, kwargs=world.kwargs_for(url_name) or None)
    driven = 0
    get_role = _role_for(row, ("200",))
    if get_role is not None:
        client = clients(get_role)
        page = client.get(url)
        html = page.status_code == 200 and not page.streaming and page["Content-Type"].startswith("text/html")
        forms = forms_on(page.content.decode()) if html else []
        for form in forms:
            if form["fields"]:
                drive_form(client, form, _target(url, form), url_name)
                driven += 1
    post_role = _role_for(row, ("405",))
    if post_role is not None and get_role is None:
        drive_post_only(clients(post_role), url, url_name)
        driven += 1
    return driven


APPS = sorted({name.split(":")[0] for name in load_table()})


@pytest.fixture
def world(cast, settings, tmp_path):
    """The matrix's records, with documents stored in a temporary folder."""
    from casework.core.tests.matrix_world import build_world

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return build_world(cast)


@pytest.mark.parametrize("app", APPS)
def test_every_form_of_every_page_answers_hostile_values_without_a_server_error(app, cast, world):
    names = [name for name in sorted(load_table()) if name.split(":")[0] == app]
    signed_in: dict[str, Client] = {}

    def clients(role: str) -> Client:
        """One signed-in client per member of the cast (signed in again if a form signed it out)."""
        client = signed_in.get(role)
        if client is None or client.get("/").status_code != 200:
            client = signed_in[role] = Client()
            client.force_login(cast.by_name(role))
            device = cast.by_name(role).totpdevice_set.filter(confirmed=True).first() or cast.by_name(
                role
            ).totpdevice_set.create(name="Authenticator app", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    sent = sum(drive_url(name, world, clients) for name in names)
    assert sent > 0 or app in ("core",), f"no form of {app} was driven"


# --- The incident import ---------------------------------------------------------------------------

COLUMNS = ["date", "time", "type", "channel", "victim", "source", "severity", "description"]
cell = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "01/01/0001",
            "31/12/9999",
            "13/13/2020",
            "2026-02-30",
            "11/2026",
            "Following",
            "In person",
            "Police",
            "3",
            "Matrix Named",
            "25:99",
        ]
    ),
)


@st.composite
def tables(draw) -> str:
    header = draw(st.one_of(st.just(COLUMNS), st.lists(st.sampled_from(COLUMNS + ["", "x", "\x00"]), max_size=9)))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=10), max_size=5))
    quote = draw(st.sampled_from(["", '"', "'"]))
    lines = [",".join(header)] + [",".join(quote + c + quote for c in r) for r in rows]
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def test_the_incident_import_answers_generated_tables_without_a_server_error(cast, world, client_for):
    url = reverse("cases:incident_import", kwargs=world.kwargs_for("cases:incident_import"))
    client: Client = client_for(cast.clinician)

    @settings_for_tables
    @given(
        text=tables(), raw=st.binary(max_size=400), confirm=st.booleans(), upload=st.sampled_from(["", "text", "raw"])
    )
    def send(text, raw, confirm, upload):
        data = {"table": text if upload == "" else ""}
        if upload:
            data["file"] = SimpleUploadedFile(
                "t.csv", text.encode("utf-8", "surrogatepass") if upload == "text" else raw
            )
        if confirm:
            data["confirm"] = "yes"
        _assert_answered(client.post(url, data), "the incident import")

    send()


settings_for_tables = settings(HYPOTHESIS, max_examples=EXAMPLES * 8)
