"""`registry serve`'s settings, refused at start when they could not work (no node, no server).

An operator's typo used to start a service that failed every request or lost a protection: a
`--logbook-dir` that is a file answered the first deposit with a 500, `--max-body 0` or
`--rpc-timeout 0` refused every request, `--rate -1` let every request through, `--deadline nan`
never ran out. Each is now one line naming the option, before anything listens (`serve` builds the
app from these settings first).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from registry.errors import ConfigError
from registry.service.cli import check_free
from registry.service.config import from_environment


@pytest.mark.parametrize(
    ("name", "value", "option"),
    [
        ("REGISTRY_SERVICE_RPC_TIMEOUT", "0", "--rpc-timeout"),
        ("REGISTRY_SERVICE_DEADLINE", "nan", "--deadline"),
        ("REGISTRY_SERVICE_DEADLINE", "-1", "--deadline"),
        ("REGISTRY_SERVICE_RATE", "-1", "--rate"),
        ("REGISTRY_SERVICE_RATE", "inf", "--rate"),
        ("REGISTRY_SERVICE_BURST", "0", "--burst"),
        ("REGISTRY_SERVICE_MAX_BODY", "-5", "--max-body"),
        ("REGISTRY_SERVICE_HEAD_MAX_AGE", "-1", "--head-max-age"),
        ("REGISTRY_SERVICE_HEAD_MAX_AGE", "soon", "--head-max-age"),
        ("REGISTRY_SERVICE_MAX_BLOCK_AGE", "0", "--max-block-age"),
        ("REGISTRY_SERVICE_MAX_BLOCK_AGE", "-5", "--max-block-age"),
        ("REGISTRY_SERVICE_MAX_BLOCK_AGE", "nan", "--max-block-age"),
    ],
)
def test_a_limit_that_would_fail_every_request_or_lift_a_protection_is_refused(
    name: str, value: str, option: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        from_environment({name: value})
    assert str(refused.value).startswith(f"{option} ({name}) must be a number of "), refused.value
    assert repr(value) in str(refused.value)


def test_the_limits_an_operator_may_choose_are_taken() -> None:
    _, config = from_environment({"REGISTRY_SERVICE_RATE": "0", "REGISTRY_SERVICE_HEAD_MAX_AGE": "0",
                                  "REGISTRY_SERVICE_BURST": "1", "REGISTRY_SERVICE_MAX_BODY": "1"})  # fmt: skip
    assert (config.rate_per_s, config.head_max_age_s, config.burst, config.max_body_bytes) == (0, 0, 1, 1)


def test_max_block_age_is_off_unless_set() -> None:
    """Off by default (a quiet chain's old block is healthy: tests/service/test_health.py), unset or empty."""
    assert from_environment({})[1].max_block_age_s is None
    assert from_environment({"REGISTRY_SERVICE_MAX_BLOCK_AGE": ""})[1].max_block_age_s is None
    assert from_environment({"REGISTRY_SERVICE_MAX_BLOCK_AGE": "90"})[1].max_block_age_s == 90


def _serve(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")} | {"REGISTRY_HOME": str(home)}
    command = [sys.executable, "-m", "registry", "serve", "--port", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_a_deployment_file_that_cannot_be_used_is_a_setting_refused_at_start(tmp_path: Path) -> None:
    """`registry serve` as an operator runs it: a deployment file missing (named or the home's), a
    directory, not JSON or not a deployment file is one line naming the file and what to give, exit 64
    as every other setting (it was exit 1). Nothing listens: --port 1 is never bound."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text('{"format": "x"}')
    cases = {
        ("--deployment", str(tmp_path / "absent.json")): "no deployment file at ",
        (): f"no deployment file at {tmp_path / 'home' / 'deployment.json'}: ",
        ("--deployment", str(tmp_path / "dir")): "is a directory, not a file; ",
        ("--deployment", str(tmp_path / "broken.json")): "is not valid JSON (line 1); ",
        ("--deployment", str(tmp_path / "other.json")): "is not a registry deployment file (format 'x'); ",
    }
    for args, said in cases.items():
        ran = _serve(tmp_path / "home", *args)
        assert ran.returncode == 64 and ran.stdout == "", (args, ran.returncode, ran.stdout, ran.stderr)
        (line,) = ran.stderr.splitlines()
        assert line.startswith("error: ") and said in line and "--deployment FILE (or REGISTRY_DEPLOYMENT)" in line, (
            line
        )


def test_a_logbook_dir_that_is_not_a_writable_directory_is_refused_at_start(tmp_path: Path) -> None:
    made = tmp_path / "new" / "logbooks"
    assert from_environment({"REGISTRY_SERVICE_LOGBOOK_DIR": str(made)})[1].logbook_dir == made
    assert made.is_dir()  # made at start, as every worker process finds it
    a_file = tmp_path / "boxes"
    a_file.write_text("not a directory")
    for given in (a_file, a_file / "below"):
        with pytest.raises(ConfigError) as refused:
            from_environment({"REGISTRY_SERVICE_LOGBOOK_DIR": str(given)})
        assert str(refused.value) == (
            f"--logbook-dir {given}: it is not a directory; name a directory the service may write"
        )
    if os.geteuid() != 0:  # root may write anywhere but on a read-only file system
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ConfigError, match="the service may not write there"):
            from_environment({"REGISTRY_SERVICE_LOGBOOK_DIR": str(locked)})


def test_a_port_or_host_it_cannot_listen_on_says_which_and_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as busy:
            check_free("127.0.0.1", port)
    assert "a service from an earlier run still running?" in str(busy.value)
    with pytest.raises(ConfigError) as elsewhere:
        check_free("192.0.2.1", 8080)  # TEST-NET-1: never an address of this machine
    said = str(elsewhere.value)
    assert "--host must be an address of this machine" in said and "earlier run" not in said, said


@pytest.mark.parametrize(
    ("lang", "args", "said"),
    [
        ("fr", ("--rate", "-1"), "erreur\u00a0: --rate (REGISTRY_SERVICE_RATE) doit être un nombre de requêtes par "
         "seconde (0\u00a0: pas de limite), au moins 0, pas '-1.0'"),
        ("ar", ("--max-block-age", "0"), "خطأ: يجب أن يكون --max-block-age (REGISTRY_SERVICE_MAX_BLOCK_AGE) عددًا من "
         "الثواني (غير معيّن: بلا حد)، أكثر من 0، لا '0.0'"),
        ("fr", ("--logbook-dir", "/etc/passwd"), "erreur\u00a0: --logbook-dir /etc/passwd\u00a0: ce n\u2019est pas un "
         "répertoire\u00a0; indiquez un répertoire où le service peut écrire"),
        ("fr", ("--deployment", "BROKEN"), "n\u2019est pas du JSON valide (ligne 1)\u00a0; donnez le fichier de "
         "déploiement du registre"),
        ("fr", ("--deployment", "DIR"), "est un répertoire, pas un fichier\u00a0; donnez le fichier de déploiement du "
         "registre"),
        ("ar", ("--deployment", "ABSENT"), "لا يوجد ملف نشر في "),
    ],
)  # fmt: skip
def test_serve_refuses_a_setting_in_french_and_arabic(
    tmp_path: Path, lang: str, args: tuple[str, ...], said: str
) -> None:
    """A setting `serve` refuses at start is said in the run's language (REGISTRY_LANG), its option and
    value as given: these were English whatever the language (found replaying them by hand, `--lang fr`);
    on the old code each case failed, the line English."""
    (tmp_path / "broken.json").write_text("{")
    where = {"DIR": str(tmp_path), "ABSENT": str(tmp_path / "absent.json"), "BROKEN": str(tmp_path / "broken.json")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env |= {"REGISTRY_HOME": str(tmp_path / "home"), "REGISTRY_LANG": lang}
    command = [sys.executable, "-m", "registry", "serve", "--port", "1", *(where.get(a, a) for a in args)]
    ran = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert ran.returncode == 64 and ran.stdout == "", (ran.returncode, ran.stderr)
    (line,) = ran.stderr.splitlines()
    assert said in line, line
