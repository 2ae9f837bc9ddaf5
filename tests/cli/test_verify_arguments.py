"""Mistakes in how `verify` was run, caught before any node or service is asked: exit 64, one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def verify(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    argv = [sys.executable, "-m", "registry", "--home", str(home), "verify", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--rpc", "notaurl"], "not an http(s) JSON-RPC URL: 'notaurl'"),
        (["--rpc", "ftp://node.example"], "not an http(s) JSON-RPC URL"),
        (["--rpc", "http://127.0.0.1:99999"], "its port is not a number"),
        (["--rpc", "http://127.0.0.1:1", "--service", "http://127.0.0.1:2"], "not both"),
        # Without its scheme: was "could not determine" (2), the service "InvalidSchema".
        (["--service", "127.0.0.1:8080"], "--service '127.0.0.1:8080' is not a registry service's URL: write it as"),
    ],
)
def test_a_url_that_is_not_one_or_two_ways_to_read_the_chain_is_a_usage_error(
    tmp_path: Path, options: list[str], named: str
) -> None:
    # Port 1 and 2 answer nothing: had the command gone on, the verdict would be "could not determine" (2).
    given = tmp_path / "given.json"
    given.write_text('{"format": "skills-credential/1", "credential": "a.b.c"}\n')
    result = verify(tmp_path / "home", str(given), *options)
    assert result.returncode == 64, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], result.stderr
    assert not result.stdout and "Traceback" not in result.stderr


def test_a_printed_passport_pdf_is_a_usage_error_not_a_verdict(tmp_path: Path) -> None:
    # `passport print` writes a PDF; given to `verify`, it was INVALID (exit 1), as if forged.
    printed = tmp_path / "passport.pdf"
    printed.write_bytes(b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n")
    for options in (["--rpc", "http://127.0.0.1:1"], ["--service", "http://127.0.0.1:2"]):
        result = verify(tmp_path / "home", str(printed), *options)
        assert result.returncode == 64, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "passport.pdf is a PDF (a printed passport?)" in lines[0] and not result.stdout


def test_a_holder_did_key_mistyped_at_its_end_is_shown_by_its_end() -> None:
    # did:keys of one curve share their first 50 characters: cut at 60, a typo at the end did not show.
    from registry.cli.options import holder_did_of
    from registry.errors import InputError
    from registry.keystore import new_natural_person

    did = new_natural_person("amina").did + "x"
    with pytest.raises(InputError) as refused:
        holder_did_of(None, did)  # type: ignore[arg-type]  # a DID given as such: no settings read
    assert str(refused.value).startswith(f"the holder {did[:29]}…{did[-10:]} ({len(did)} characters) is not a valid")
    assert "copy her DID whole" in str(refused.value)
    # A holder named by a name this home has no identity for: not "make it with `identity create`" (a key
    # the centre would hold, not hers), but her did:key, or a roster row for a key made and handed over.
    from registry.config import Settings
    from registry.errors import KeyStoreError

    with pytest.raises(KeyStoreError) as unknown:
        holder_did_of(Settings(home=Path("/nonexistent-home")), "amina")
    assert "give her did:key as she reads it" in str(unknown.value) and "identity create" not in str(unknown.value)
    # Her name as people write it (spaces, any script) is no identity name: said the same way, not as a
    # rule for identity names.
    for name in ("Awa Sarr", "محمد الأحمد"):
        with pytest.raises(KeyStoreError, match=r"^no identity named .* give her did:key as she reads it"):
            holder_did_of(Settings(home=Path("/nonexistent-home")), name)


def test_every_service_client_refuses_a_url_without_its_scheme() -> None:
    # `did register --service`, `logbook sync`: one line naming the URL, never requests' "InvalidSchema".
    from registry.errors import InputError
    from registry.service.client import ServiceClient

    with pytest.raises(InputError, match=r"^--service '127\.0\.0\.1:8080' is not a registry service's URL"):
        ServiceClient("127.0.0.1:8080")


def test_a_bare_jwt_on_a_fresh_home_is_told_its_holder_file_names_the_registry(tmp_path: Path) -> None:
    # An employer given the credential's JWT alone (copied out of the file): it names no registry, and
    # the report said the file "was written before files named their registry", which it was not.
    import time

    from registry.formats import credential as vcfmt
    from registry.keystore import new_legal_entity, new_natural_person

    issuer, holder = new_legal_entity("centre"), new_natural_person("amina")
    draft = vcfmt.CredentialDraft(
        issuer.did, holder.did, vcfmt.Achievement("Welding", "Welding", "x"), int(time.time())
    )
    given = tmp_path / "credential.jwt"
    given.write_text(vcfmt.sign_vc(vcfmt.build_vc(draft, int(time.time())), issuer.signing_key, issuer.kid) + "\n")
    result = verify(tmp_path / "home", str(given), "--rpc", "http://127.0.0.1:1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "a bare JWT never does: its holder file, the .json the issuer wrote, does" in result.stdout
    assert "verify the holder file" in result.stdout
