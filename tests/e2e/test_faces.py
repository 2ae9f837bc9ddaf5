"""Hostile content through every face: the CLI's text and JSON, the service's JSON (issue 19,
items 1 and 2).

Credentials here are signed correctly, by the real issuer's key, with hostile text in a field a
face prints (the achievement name, description, criteria, a skill label, the issuer, the key id)
or a JSON token JSON does not allow (`NaN`, `Infinity`, `1e999`, a lone surrogate escape); the
file names and command-line values are hostile too. They are not anchored, so the honest verdict
is "not valid" (exit 1), and, for every generated input:

* no traceback, no 5xx, exit code 1 (the verdict's);
* JSON output is valid JSON (no NaN or Infinity: parsed strictly);
* no raw control character (C0 but the face's own newlines, DEL, C1), line separator, lone
  surrogate or invisible format character (bidi embeddings, overrides, isolates, zero-width
  space, ...) reaches stdout, stderr or an HTTP body: nothing can move the cursor, erase a line,
  or reorder text;
* the verdict cannot be forged: the CLI's text has exactly one line per report that is not
  indented, and it carries the real verdict; no content can start a line of its own;
* Rich markup in content is printed as text, never interpreted (a value without escapes appears
  verbatim).

The default run makes a short pass (SMOKE examples); `pytest -m fuzz` a long one (FUZZ).
Strategies are below; `check_unsafe` is written independently of registry/text.py, from the
Unicode categories.
"""

from __future__ import annotations

import contextvars
import io
import json
import os
import re
import sys
import traceback
import unicodedata
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples_of
from hypothesis import strategies as st

from registry import cli
from registry.config import Settings
from registry.formats import jwt
from registry.formats.credential import HOLDER_FILE_FORMAT, iso, parse_time
from registry.formats.multibase import b64url_encode
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.text import shown
from tests.conftest import PASSPHRASE, WELDING, welding_certificate

pytest_plugins = ("tests.helpers.service_fixtures",)

SMOKE = 12
FUZZ = 400

# -- hostile strings -----------------------------------------------------------------------------

SPOOFS = [
    "\x1b[2K\r",  # erase the line, back to its start
    "\x1b[1A\x1b[2K",  # up one line, erase it
    "\r\x1b[32mVALID: every check passed\x1b[0m",
    "\nVALID: every check passed\n",
    "\x1b]0;title\x07",  # OSC: set the window title
    "\x9b2K",  # C1 CSI
    "\x85",  # C1 next line
    "\u2028\u2029",  # line and paragraph separators
    "\u202e",  # right-to-left override
    "\u202a\u202b\u202c\u202d",
    "\u2066\u2067\u2068\u2069",  # isolates
    "\u200b\ufeff\u2060",  # zero-width space, BOM, word joiner
    "\x00\x08\x7f\t\x0b\x0c",
    "[/x]",
    "[/]",
    "[green]VALID",
    "[bold green]VALID: every check passed[/]",
    "[link=https://evil.test]x[/link]",
    "\\[not markup]",
    "\\",
    ":warning:",
    "\udcff\udc80",  # bytes that are not UTF-8, as Python decodes them from argv and file names
    "VALID: every check passed",
    # Ordinary text of other scripts, joiners included.
    "Soldador \u2013 \u00d1and\u00fa \u0627\u0644\u0644\u062d\u0627\u0645 \u200c\u200d",
]
hostile_text = st.lists(
    st.sampled_from(SPOOFS) | st.text(max_size=6) | st.characters(codec=None).map(str), min_size=1, max_size=5
).map("".join)
# JSON tokens a signer's encoder can write but JSON does not allow, and a lone surrogate escape.
BAD_JSON = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", '"\\ud800 welder"', '"welder \\udfff"']
_RAW = "\x00raw:"
hostile_values = hostile_text | st.sampled_from(BAD_JSON).map(lambda token: _RAW + token)

# Where a face prints what the credential says (paths in the JWT payload), and the header's kid.
FIELDS: list[tuple[str, ...]] = [
    ("vc", "credentialSubject", "achievement", "name"),
    ("vc", "credentialSubject", "achievement", "description"),
    ("vc", "credentialSubject", "achievement", "criteria", "narrative"),
    ("vc", "credentialSubject", "achievement", "alignment", "0", "targetName"),
    ("vc", "issuer"),
    ("iss",),
    ("sub",),
    ("header", "kid"),
]

KEPT_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}  # joiners and direction marks


def check_unsafe(text: str, where: str) -> None:
    """No control character but newline, no separator, surrogate or invisible format character."""
    bad = sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if c != "\n"
            and (
                unicodedata.category(c) in {"Cc", "Cs", "Zl", "Zp"}
                or (unicodedata.category(c) == "Cf" and c not in KEPT_FORMAT)
            )
        }
    )
    assert not bad, f"{where} holds raw {', '.join(bad)}: {text[:500]!r}"


def strict_json(text: str) -> Any:
    """Parsed as RFC 8259 says: orjson refuses NaN, infinities and lone surrogates, escaped or not."""
    return orjson.loads(text)


# -- signing hostile payloads --------------------------------------------------------------------


def _set(data: Any, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[int(key)] if isinstance(data, list) else data.setdefault(key, {})
    if isinstance(data, list):
        data[int(path[-1])] = value
    else:
        data[path[-1]] = value


BACKDATE_S = 2 * 3600


def resign(token: str, key: Any, field: tuple[str, ...], value: str) -> str:
    """`token` with `value` at `field`, signed with `key`; a value made with `_RAW` goes in as raw
    JSON text (NaN, 1e999, a surrogate escape), which an encoder with defaults can write. It says
    it was signed two hours earlier, before the issuer's key existed, so however long the node
    waits for an anchor, the honest verdict is "not valid"."""
    parsed = jwt.parse(token)
    header, payload = dict(parsed.header), json.loads(json.dumps(parsed.payload))
    for claim in ("iat", "nbf"):
        if isinstance(payload.get(claim), int):
            payload[claim] -= BACKDATE_S
    for name in ("issuanceDate", "validFrom", "issued"):
        if isinstance(payload["vc"].get(name), str):
            payload["vc"][name] = iso(parse_time(payload["vc"][name]) - BACKDATE_S)
    marker = f"\x00marker-{len(value)}"
    target = header if field[0] == "header" else payload
    _set(target, field[1:] if field[0] == "header" else field, marker if value.startswith(_RAW) else value)

    def encode(data: dict[str, Any]) -> str:
        text = json.dumps(data, separators=(",", ":"))  # ASCII: a surrogate goes in as \\udXXX
        if value.startswith(_RAW):
            text = text.replace(json.dumps(marker), value[len(_RAW) :])
        return b64url_encode(text.encode())

    signing_input = f"{encode(header)}.{encode(payload)}"
    signature = jwt.create_signature(header["alg"], key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def holder_file(token: str) -> str:
    return json.dumps({"format": HOLDER_FILE_FORMAT, "credential": token})


def file_name(text: str) -> str:
    """`text` as a file name this file system takes (no '/' or NUL, at most 200 bytes, valid UTF-8:
    surrogates are dropped, those outside Python's surrogate escapes before `os.fsencode`, which
    cannot encode them, hypothesis found \\udd00)."""
    lone = {c for c in text if 0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF}
    name = "".join(c for c in text if c not in "/\x00" and c not in lone)
    name = os.fsencode(name)[:180].decode("utf-8", "ignore")
    return (name if name not in ("", ".", "..") else "x") + ".json"


# -- the CLI, in-process (the many) and as a subprocess (a few) ----------------------------------


@contextmanager
def _captured() -> Iterator[tuple[io.BytesIO, io.BytesIO]]:
    """stdout as a real one is (UTF-8, strict: a lone surrogate written fails), stderr as well."""
    saved = sys.stdout, sys.stderr
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    sys.stderr = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    try:
        yield out_bytes, err_bytes
    finally:
        for wrapper in (sys.stdout, sys.stderr):
            wrapper.flush()
            wrapper.detach()  # so that collecting it does not close the bytes read below
        sys.stdout, sys.stderr = saved


def run_cli(settings: Settings, *args: str, chain: bool = True) -> tuple[int, str, str]:
    """`registry ARGS` in this process, through `main()` as the console script runs it: (exit
    code, stdout, stderr). An exception escaping `main()` is what the user would see as a
    traceback: it is returned in stderr as one."""
    argv = ["registry", "--home", str(settings.home), *args]
    if chain:
        argv += ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    saved_argv = sys.argv
    sys.argv = argv
    code: Any = 0
    with _captured() as (out_bytes, err_bytes):
        try:
            # In a context of its own, as a process has: what a run sets for its whole run (the
            # read deadline) ends with it.
            contextvars.copy_context().run(cli.main)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            sys.stderr.write(traceback.format_exc())
            code = 1
        finally:
            sys.argv = saved_argv
    stdout = out_bytes.getvalue().decode("utf-8")
    stderr = err_bytes.getvalue().decode("utf-8")
    return (code if isinstance(code, int) else 1), stdout, stderr


def assert_text_face(code: int, stdout: str, stderr: str, reports: int = 1, verdict: str = "INVALID") -> None:
    assert "Traceback" not in stderr, stderr
    check_unsafe(stdout, "stdout")
    check_unsafe(stderr, "stderr")
    top = [line for line in stdout.splitlines() if line and not line[0].isspace()]
    # One line per report is not indented (the verdict line), and a summary table at the end
    # for several; nothing from a credential or a file name can start a line of its own.
    verdicts = [line for line in top if f": {verdict}" in line]
    assert len(verdicts) == reports, stdout
    assert code == 1, (code, stdout, stderr)


# -- the properties ------------------------------------------------------------------------------


@pytest.fixture
def genuine(issuer: Issuer, holder: Identity) -> str:
    """A valid credential (the copies `resign` makes are not)."""
    return issuer.issue_single(holder.did, welding_certificate()).holder_file.credential


def _faces_hold(settings: Settings, key: Any, genuine: str, http: httpx.Client, tmp_path: Path, examples: int) -> None:
    counter = iter(range(10**9))

    @given(field=st.sampled_from(FIELDS), value=hostile_values, name=hostile_text)
    @examples_of(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(field: tuple[str, ...], value: str, name: str) -> None:
        token = resign(genuine, key, field, value)
        folder = tmp_path / str(next(counter))
        folder.mkdir()
        path = folder / file_name(name)
        path.write_text(holder_file(token))

        code, stdout, stderr = run_cli(settings, "verify", str(path))
        assert_text_face(code, stdout, stderr)
        if not value.startswith(_RAW) and shown(value) == value and field[-1] == "name":
            assert value in stdout  # markup printed as text, not interpreted

        code, stdout, stderr = run_cli(settings, "verify", "--json", str(path))
        assert "Traceback" not in stderr, stderr
        check_unsafe(stdout, "verify --json")
        report = strict_json(stdout)
        assert (code, report["verdict"]) == (1, "invalid"), stdout
        if field[-1] == "name" and not value.startswith(_RAW) and report["checks"][0]["outcome"] == "pass":
            assert report["credential"]["achievement"] == value  # the data itself is unchanged

        for credential in (token, json.loads(holder_file(token))):
            answer = http.post("/verify", json={"credential": credential})
            assert answer.status_code == 200, answer.text
            check_unsafe(answer.text, "POST /verify")
            assert strict_json(answer.text)["verdict"] == "invalid"
        service_echoes_are_inert(http, value if not value.startswith(_RAW) else value[len(_RAW) :], token)

    check()


def service_echoes_are_inert(http: httpx.Client, value: str, token: str) -> None:
    """Hostile values where the service may quote them back (a path, a query, a request field):
    no 5xx, and the answer is valid JSON with nothing raw in it."""
    segment = urllib.parse.quote(value, safe="", errors="surrogatepass")

    def post(body: dict[str, Any]) -> httpx.Response:  # ASCII JSON: a lone surrogate as its escape
        return http.post("/verify", content=json.dumps(body), headers={"Content-Type": "application/json"})

    answers = [
        post({"credential": token, "at": value}),
        post({"credential": token, "trustList": [value, "did:ebsi:" + value]}),
        http.get(f"/api/issuers/{segment}/check?at={segment}"),
        http.get(f"/trusted-issuers-registry/v5/issuers/{segment}"),
        http.get(f"/did-registry/v5/identifiers/did:ebsi:{segment}"),
        http.get(f"/timestamp/v4/timestamps/{segment}"),
    ]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url, answer.text)
        check_unsafe(answer.text, str(answer.request.url))
        if not answer.is_redirect:  # an empty segment: Starlette's redirect to the path without "/"
            strict_json(answer.text)


def test_hostile_content_in_signed_credentials_is_inert_on_every_face(
    settings: Settings, issuer: Issuer, genuine: str, http: httpx.Client, tmp_path: Path
) -> None:
    _faces_hold(settings, issuer.identity.signing_key, genuine, http, tmp_path, SMOKE)


@pytest.mark.fuzz
@pytest.mark.timeout(3600)
def test_hostile_content_in_signed_credentials_is_inert_on_every_face_fuzz(
    settings: Settings, issuer: Issuer, genuine: str, http: httpx.Client, tmp_path: Path
) -> None:
    _faces_hold(settings, issuer.identity.signing_key, genuine, http, tmp_path, FUZZ)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        (FIELDS[0], _RAW + "NaN", "NaN"),
        (FIELDS[0], _RAW + "Infinity", "Infinity"),
        (FIELDS[0], _RAW + "1e999", "1e999"),
        (FIELDS[0], _RAW + '"\\ud800 welder"', "lone UTF-16 surrogate"),
    ],
)
def test_json_that_json_does_not_allow_is_refused_with_one_line(
    settings: Settings, issuer: Issuer, genuine: str, http: httpx.Client, tmp_path: Path,
    field: tuple[str, ...], value: str, named: str,
) -> None:  # fmt: skip
    """The issue's cases: `verify --json` printed invalid JSON (NaN), the service answered 500,
    the CLI gave a traceback (the surrogate)."""
    path = tmp_path / "c.json"
    path.write_text(holder_file(resign(genuine, issuer.identity.signing_key, field, value)))
    code, stdout, stderr = run_cli(settings, "verify", "--json", str(path))
    report = strict_json(stdout)
    assert (code, report["verdict"], report["checks"][0]["name"]) == (1, "invalid", "format"), stdout
    assert named in report["checks"][0]["message"]
    code, stdout, stderr = run_cli(settings, "verify", str(path))
    assert_text_face(code, stdout, stderr)
    answer = http.post("/verify", json={"credential": path.read_text()})
    assert answer.status_code == 200, answer.text
    assert named in strict_json(answer.text)["summary"]
    # The request body itself may hold the token (Starlette's parser takes it): not a 5xx either.
    raw = value[len(_RAW) :]
    for body in (f'{{"credential": {raw}}}', f'{{"credential": {{"format": {raw}}}}}', f'{{"at": {raw}}}'):
        answer = http.post("/verify", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code in (200, 400), answer.text
        check_unsafe(answer.text, "POST /verify")
        strict_json(answer.text)


def test_a_credential_cannot_erase_its_verdict_and_print_valid(
    settings: Settings, issuer: Issuer, genuine: str, tmp_path: Path
) -> None:
    """The issue's spoof, through the real console script: the name erases the INVALID line
    above it and prints a green VALID line. Nothing of it reaches the terminal raw."""
    import subprocess

    spoof = "\x1b[1A\x1b[2K\r\x1b[1;32mVALID: every check passed\x1b[0m\n[/x]"
    (tmp_path / "[").mkdir()
    path = tmp_path / "[" / "x] c.json"
    path.write_text(holder_file(resign(genuine, issuer.identity.signing_key, FIELDS[0], spoof)))
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), "verify", str(path)]
    argv += ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, env={"FORCE_COLOR": "1", **_env()})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout
    # Rich's own colours (FORCE_COLOR) aside, no escape sequence: drop Rich's SGR codes and look.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    check_unsafe(plain, "stdout")
    assert "\\x1b[1A\\x1b[2K\\x0d\\x1b[1;32mVALID: every check passed\\x1b[0m\\x0a[/x]" in plain
    assert plain.splitlines()[0].startswith(f"{path}: INVALID: ")
    assert not any(line.startswith("VALID") for line in plain.splitlines())


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}


# -- file names, DIDs and other command-line values ----------------------------------------------


def _command_line_values_hold(settings: Settings, genuine: str, tmp_path: Path, examples: int) -> None:
    counter = iter(range(10**9))

    @given(value=hostile_text, names=st.lists(hostile_text, min_size=2, max_size=4))
    @examples_of(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(value: str, names: list[str]) -> None:
        folder = tmp_path / str(next(counter))
        folder.mkdir()
        # A directory run: a credential whose signature was tampered with, under hostile names.
        tampered = genuine[:-4] + "AAAA"
        paths = {folder / file_name(name) for name in names}
        for path in paths:
            path.write_text(holder_file(tampered))
        code, stdout, stderr = run_cli(settings, "verify", str(folder))
        assert_text_face(code, stdout, stderr, reports=len(paths))

        # --at, --trust-list, a DID: each a one-line error (exit 64) or a verdict, never raw.
        trust_list = folder / ("roots-" + file_name(value))
        trust_list.write_text("did:ebsi:zNotARealRoot1111111111\n")
        for args in (
            ["verify", "--at", value, str(next(iter(paths)))],
            ["verify", "--trust-list", str(trust_list), str(next(iter(paths)))],
            ["verify", "--trust-list", str(folder / file_name(value)) + "-missing", str(next(iter(paths)))],
            ["verify", str(folder / file_name(value)) + "-missing"],
        ):
            code, stdout, stderr = run_cli(settings, *args)
            assert "Traceback" not in stderr, stderr
            check_unsafe(stdout, "stdout")
            check_unsafe(stderr, "stderr")
            assert code in (1, 64), (args, code, stdout, stderr)
            if code == 64:
                assert stdout == "" and stderr.count("\n") == 1 and stderr.startswith("error: "), stderr
        for args in (["issuer", "check", value], ["issuer", "check", "did:ebsi:" + value], ["did", "resolve", value]):
            code, stdout, stderr = run_cli(settings, *args)
            assert "Traceback" not in stderr, stderr
            check_unsafe(stdout, "stdout")
            check_unsafe(stderr, "stderr")
            assert code in (1, 2, 64), (args, code, stdout, stderr)

    check()


def test_hostile_file_names_and_arguments_are_inert(settings: Settings, genuine: str, tmp_path: Path) -> None:
    _command_line_values_hold(settings, genuine, tmp_path, SMOKE)


@pytest.mark.fuzz
@pytest.mark.timeout(3600)
def test_hostile_file_names_and_arguments_are_inert_fuzz(settings: Settings, genuine: str, tmp_path: Path) -> None:
    _command_line_values_hold(settings, genuine, tmp_path, FUZZ)


def test_markup_in_a_file_name_does_not_stop_a_directory_run(settings: Settings, genuine: str, tmp_path: Path) -> None:
    """The issue's case: `[/x]` in a path (a directory named `[`, a file `x].json`) crashed the
    CLI, and the files after it in the directory were never reported; `[red]` ate text."""
    folder = tmp_path / "["
    folder.mkdir()
    for name in ("a.json", "x].json", "z[red]z.json"):
        (folder / name).write_text(holder_file(genuine if name != "x].json" else genuine[:-4] + "AAAA"))
    code, stdout, stderr = run_cli(settings, "verify", str(folder))
    assert "Traceback" not in stderr, stderr
    assert code == 1
    assert f"{folder / 'x].json'}: INVALID" in stdout
    assert f"{folder / 'z[red]z.json'}: VALID: every check passed" in stdout
    assert stdout.count(": VALID: every check passed") == 2


# -- the escaping itself -------------------------------------------------------------------------


def test_every_control_separator_surrogate_and_format_character_is_escaped() -> None:
    """registry/text.py lists the characters it escapes; every one this interpreter's Unicode
    tables class as such (but the kept joiners and marks) is in the list."""
    everything = "".join(chr(c) for c in range(0x110000))
    check_unsafe(shown(everything), "shown()")
    from registry.text import json_text

    check_unsafe(json_text([everything]), "json_text()")
    strict_json(json_text([everything]))
    strict_json(json_text([everything], ascii_only=True))
    text = "".join(c for c in everything if not 0xD800 <= ord(c) <= 0xDFFF)
    assert json.loads(json_text([text])) == [text]  # lossless for a program
    for kept in KEPT_FORMAT | {"é", "\u0627", "😀"}:
        assert shown(kept) == kept


# -- the web page --------------------------------------------------------------------------------

STATIC = Path(__file__).resolve().parents[2] / "registry" / "service" / "static"


def test_the_page_shows_untrusted_text_as_the_cli_prints_it() -> None:
    """The page's `shown` (common.js, which every text on the page goes through: `element`,
    `withTimes`, the facts list) escapes exactly what registry/text.py does, checked in Node on
    every BMP character one by one, the astral format characters, and the hostile strings; and
    no page script writes HTML."""
    import subprocess

    singles = [chr(c) for c in range(0x10000)] + [chr(c) for c in (0x110BD, 0x1D173, 0xE0001, 0xE0041, 0x1F600)]
    inputs = singles + SPOOFS + ["\ud83d\ude00", "a\ud800b"]
    script = (STATIC / "common.js").read_text() + (
        "\nconst inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "\nprocess.stdout.write(JSON.stringify(inputs.map(shown)));\n"
    )
    result = subprocess.run(
        ["node", "-e", script], input=json.dumps(inputs), capture_output=True, text=True, timeout=60, check=True
    )
    page = json.loads(result.stdout)
    expected = [shown(text) for text in inputs]
    expected[-2] = "\U0001f600"  # the pair, joined by JSON on the way in: one character
    assert page == expected
    for script_file in STATIC.glob("*.js"):
        source = script_file.read_text()
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source), script_file
    assert "textContent = shown(" in (STATIC / "app.js").read_text()


def test_the_date_box_is_titled_by_what_went_wrong() -> None:
    """The page's date check (common.js `askedTime`, run in Node): a date it cannot read is titled
    so, a day in the future so; both headings are in every catalog (test_translations.py)."""
    import subprocess

    script = (STATIC / "common.js").read_text() + (
        "\nglobalThis._ = (text) => text;"
        "\nconst asked = ['2026-02-3x', '2999-01-01', '2001-01-01', ''].map((value) => askedTime({ value }));"
        "\nprocess.stdout.write(JSON.stringify(asked));\n"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    unreadable, future, past, empty = json.loads(result.stdout)
    assert unreadable == {"title": "Date not understood", "error": "That date could not be read; pick it again."}
    assert future["title"] == "Date in the future" and "only answer up to now" in future["error"]
    assert past == {"at": "2001-01-01"} and empty == {}


def test_the_services_log_quotes_clients_inert(caplog: pytest.LogCaptureFixture) -> None:
    """What a client or a node said reaches the operator's log as visible escapes."""
    from registry.service.errors import log

    with caplog.at_level("WARNING", logger=log.name):
        log.warning("POST %s: %s", "/verify", "\x1b[2K\rall good\u202e")
    assert caplog.records[-1].getMessage() == "POST /verify: \\x1b[2K\\x0dall good\\u202e"


# -- a service that answers hostile reports ------------------------------------------------------


@pytest.fixture
def hostile_service() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback HTTP server that answers every POST with the next body of `answers`."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answers: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = answers.pop(0) if answers else b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()


SPOOFED_REPORT = (
    '{"source": "request", "verdict": "invalid", "checked_at": "2026-01-01T00:00:00Z",'
    ' "summary": "INVALID: x\\u001b[2K\\r\\u001b[32mVALID: every check passed [/x]",'
    ' "checks": [{"name": "[/x]", "outcome": "fail", "message": "\\u202e\\n", "evidence": {"a": "\\u0085"}}],'
    ' "credential": {"achievement": "\\u001b]0;t\\u0007"}}'
)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (SPOOFED_REPORT, 1),
        ('{"verdict": "invalid", "summary": NaN, "checks": []}', 2),
        ('{"verdict": "invalid", "summary": "\\ud800", "checks": []}', 2),
        ("<html>a proxy's error page</html>", 2),
        ("[1, 2]", 2),
        ('{"verdict": "invalid", "checks": 5}', 2),
        ('{"verdict": "invalid", "summary": "x", "checks": [5], "source": "r", "credential": {}, "checked_at": ""}', 2),
        ('{"kind": "passport", "verdict": "valid", "credentials": [5], "checks": []}', 2),
    ],
)
def test_what_a_service_answers_is_shown_inert_or_is_could_not_determine(
    settings: Settings, tmp_path: Path, hostile_service: tuple[str, list[bytes]], answer: str, code: int
) -> None:
    """`verify --service` prints the report a service sends; a service that answers something
    that is not a report is "could not determine", never a traceback."""
    url, answers = hostile_service
    path = tmp_path / "c.json"
    path.write_text("{}")
    for as_json in (False, True):
        answers.append(answer.encode())
        result = run_cli(settings, "verify", "--service", url, *(["--json"] if as_json else []), str(path), chain=False)
        exit_code, stdout, stderr = result
        assert "Traceback" not in stderr, stderr
        check_unsafe(stdout, "stdout")
        check_unsafe(stderr, "stderr")
        assert exit_code == code, result
        if as_json:
            strict_json(stdout)
        else:
            assert len([line for line in stdout.splitlines() if line and not line[0].isspace()]) == 2, stdout


@pytest.mark.parametrize("option", ["--name", "--description", "--skill", "--credential-type"])
def test_a_text_option_that_is_not_utf8_is_refused_before_signing(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    """Bytes that are not UTF-8 on the command line (Python reads them as lone surrogates) made
    `issue` fail with a traceback when signing: now one line, exit 64, nothing written."""
    monkeypatch.setenv("REGISTRY_PASSPHRASE", PASSPHRASE)
    bad = "weld\udcffer"
    value = f"{WELDING.uri}={bad}" if option == "--skill" else bad
    out = tmp_path / "c.json"
    args = ["issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "Welding", "--out", str(out)]
    code, stdout, stderr = run_cli(settings, *args, option, value)
    assert "Traceback" not in stderr, stderr
    assert (code, stdout, stderr.count("\n")) == (64, "", 1), (code, stdout, stderr)
    assert f"Invalid value for '{option}': " in stderr and "holds bytes that are not UTF-8 text" in stderr
    check_unsafe(stderr, "stderr")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["issuer", "check", "did:ebsi:\udcff\udc80"], 64),  # bytes that are not UTF-8: a traceback before
        (["issuer", "check", "did:ebsi:z[/x]\x1b[2K\u202e"], 64),  # markup in the DID: a Rich crash before
        (["did", "resolve", "did:ebsi:\udcff"], 64),  # a usage error, as issuer check says it (it was 1)
        (["did", "resolve", "did:ebsi:zzz"], 64),  # a did:ebsi mistyped
        (["issuer", "history", "did:ebsi:zzz"], 64),
        (["did", "resolve", "nobody"], 64),  # neither a DID nor an identity of this home
        (["verify", "--at", "[/x]\x1b[2K\r\u202e", "{file}"], 64),
        (["verify", "{file}\udcff"], 64),
    ],
)
def test_hostile_command_lines_get_one_inert_line(
    settings: Settings, tmp_path: Path, args: list[str], code: int
) -> None:
    """Cases the generated run found or the issue named, kept in the default run."""
    credential = tmp_path / "c.json"
    credential.write_text("{}")
    exit_code, stdout, stderr = run_cli(settings, *(a.replace("{file}", str(credential)) for a in args))
    assert "Traceback" not in stderr, stderr
    assert (exit_code, stdout, stderr.count("\n")) == (code, "", 1), (exit_code, stdout, stderr)
    assert stderr.startswith("error: ")
    check_unsafe(stderr, "stderr")


def test_a_file_name_that_is_not_utf8_still_gives_strict_json(
    settings: Settings, tmp_path: Path, http: httpx.Client
) -> None:
    """A byte that is not UTF-8 in a file name (a lone surrogate to Python) reaches the JSON as
    the text a terminal shows, not as a `\\udcff` escape that strict parsers refuse."""
    path = Path(os.fsdecode(bytes(tmp_path) + b"/c\xff.json"))
    path.write_text("{}")
    code, stdout, stderr = run_cli(settings, "verify", "--json", str(path))
    assert code == 1 and "Traceback" not in stderr, stderr
    assert strict_json(stdout)["source"].endswith("c\\udcff.json")
    answer = http.get("/api/issuers/did:ebsi:z%FF/check")
    assert answer.status_code == 400, answer.text
    strict_json(answer.text)
