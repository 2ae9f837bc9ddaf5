"""`registry verify` in French and Arabic: chosen by `--lang` or the locale (LANG), the verdict line,
check labels and summary table in that language; `--json` stays English (machine output)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.config import Settings
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose
from tests.conftest import welding_certificate


def verify(settings: Settings, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"REGISTRY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}}
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), *args]
    argv[argv.index("verify") + 1 : argv.index("verify") + 1] = [
        "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file),
    ]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, env={**base, **(env or {})}, timeout=120)


def test_verify_speaks_french_and_arabic(settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path) -> None:
    valid = tmp_path / "valid.json"
    valid.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    revoked = issuer.issue_single(holder.did, welding_certificate()).holder_file
    issuer.change_status([revoked.credential], Purpose.REVOCATION, set_=True, reason=2)
    (tmp_path / "revoked.json").write_text(revoked.dumps())

    french = verify(settings, "--lang", "fr", "verify", str(valid))
    assert french.returncode == 0, french.stdout + french.stderr
    assert f"{valid}: VALIDE\u00a0: toutes les vérifications ont réussi" in french.stdout
    assert "✔ statut de révocation\u00a0: non révoquée" in french.stdout and "délivrée le" in french.stdout
    assert "✔ signature\u00a0: signée par did:ebsi:" in french.stdout
    assert "    compétence\u00a0: " in french.stdout and "    critères\u00a0: " in french.stdout  # no bare "x:"
    # Its type by its label, the accreditation policy, and the format, registry and quorum lines: French too.
    assert (
        "(Certificat) — niveau CEC 4" in french.stdout
        and "politique d\u2019accréditation\u00a0: à l\u2019émission" in french.stdout
    )
    assert "✔ format\u00a0: un JWT-VC EBSI (VCDM 1.1) bien formé" in french.stdout
    assert (
        "✔ registre\u00a0: vérifiée dans le registre que nomme le fichier, le registre de la chaîne " in french.stdout
    )
    assert "quorum\u00a0: lu sur un seul nœud\u00a0: " in french.stdout

    arabic = verify(settings, "verify", str(valid), env={"LANG": "ar_MA.UTF-8"})
    assert arabic.returncode == 0, arabic.stdout + arabic.stderr
    assert "صالحة: نجحت جميع عمليات التحقق" in arabic.stdout
    assert "✔ حالة الإلغاء: غير ملغاة" in arabic.stdout
    assert "Z، سارية من " in arabic.stdout and "Z، بلا تاريخ انتهاء" in arabic.stdout  # Arabic commas
    assert "(شهادة) — " in arabic.stdout and "سياسة الاعتماد: عند الإصدار" in arabic.stdout, arabic.stdout

    both = verify(settings, "--lang", "fr", "verify", str(valid), str(tmp_path / "revoked.json"))
    assert both.returncode == 1, both.stdout + both.stderr
    assert f"{tmp_path / 'revoked.json'}: RÉVOQUÉE\u00a0: " in both.stdout
    assert "2 attestations vérifiées" in both.stdout and "révoquée" in both.stdout

    machine = verify(settings, "--lang", "ar", "verify", "--json", str(valid))
    report = json.loads(machine.stdout)
    assert report["verdict"] == "valid" and report["summary"] == "VALID: every check passed"
    assert {check["name"] for check in report["checks"]} >= {"signature", "revocation status"}

    english = verify(settings, "verify", str(valid), env={"LANG": "C.UTF-8"})
    assert f"{valid}: VALID: every check passed" in english.stdout

    wrong = verify(settings, "--lang", "xx", "verify", str(valid))
    assert wrong.returncode == 64 and "is not a language of this registry: use one of en, fr, ar" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and "Traceback" not in wrong.stderr


def said_in_process(monkeypatch: Any, capsys: Any, *argv: str, **env: str) -> tuple[int, str]:
    """`registry ARGV...` run in this process as the console script runs it: its exit code and stderr
    (stdout after a line "--- stdout ---" when there is any)."""
    from registry import i18n
    from registry.cli import main

    for name in ("REGISTRY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["registry", *argv])
    try:
        with pytest.raises(SystemExit) as ended:
            main()
    finally:
        i18n.use(i18n.DEFAULT)
    said = capsys.readouterr()
    return int(ended.value.code or 0), said.err + (f"--- stdout ---\n{said.out}" if said.out else "")


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--lang", "fr", "passport", "create", "--holder", "amina"], {},
         "erreur\u00a0: il manque l\u2019option '--out'. (voir `registry passport create --help`)"),
        (["passport", "print"], {"LANG": "ar_MA.UTF-8"},
         "خطأ: الوسيط 'PASSPORT' ناقص. (انظر `registry passport print --help`)"),
        (["--lang", "ar", "wallet", "list", "--json=3"], {}, "خطأ: الخيار '--json' لا يأخذ قيمة."),
        (["passport", "create", "--holder"], {"LANG": "fr_FR.UTF-8"},
         "erreur\u00a0: l\u2019option '--holder' demande une valeur."),
        (["--lang", "fr", "node", "start", "--port", "abc"], {},
         "erreur\u00a0: valeur invalide pour '--port'\u00a0: 'abc' n\u2019est pas un nombre entier. "
         "(voir `registry node start --help`)"),
        (["--lang", "ar", "node", "start", "--port", "0"], {},
         "خطأ: قيمة غير صالحة للخيار '--port': 0 خارج النطاق 1<=x<=65535. (انظر `registry node start --help`)"),
        # Met before the root callback runs: in the --lang parsed so far, or the locale's.
        (["--lang", "ar", "nonsense"], {}, "خطأ: لا يوجد أمر باسم 'nonsense'. (انظر `registry --help`)"),
        (["--bogus"], {"LANG": "fr_FR.UTF-8"}, "erreur\u00a0: option inconnue\u00a0: --bogus (voir `registry --help`)"),
        (["--lang", "fr", "passport", "create", "--bogus", "x"], {},
         "erreur\u00a0: option inconnue\u00a0: --bogus (options possibles\u00a0: --out) "
         "(voir `registry passport create --help`)"),
        (["--lang", "fr", "wallet", "list", "--lang", "ar"], {},
         "erreur\u00a0: --lang est une option de `registry` lui-même\u00a0: donnez-la avant la commande "
         "(`registry --lang … wallet list …`)"),
        # --lang given after the command only: refused in the language it names.
        (["verify", "--help", "--lang", "ar"], {},
         "خطأ: --lang خيار لـ `registry` نفسه: ضعه قبل الأمر (`registry --lang … verify …`)"),
        # English as before, whatever the locale says when --lang says English.
        (["--lang", "en", "passport", "print"], {"LANG": "fr_FR.UTF-8"},
         "error: Missing argument 'PASSPORT'. (see `registry passport print --help`)"),
    ],
)  # fmt: skip
def test_usage_errors_speak_french_and_arabic(
    monkeypatch: Any, capsys: Any, argv: list[str], env: dict[str, str], expected: str
) -> None:
    code, stderr = said_in_process(monkeypatch, capsys, *argv, **env)
    assert code == 64 and stderr == expected + "\n", stderr


def test_a_help_screens_frame_speaks_french_and_arabic(monkeypatch: Any, capsys: Any) -> None:
    """The panel titles, `[required]`, --help's own line and "Examples:" in the run's language (the command's
    help itself stays English); English as before."""
    monkeypatch.setenv("COLUMNS", "100")
    code, french = said_in_process(monkeypatch, capsys, "--lang", "fr", "passport", "print", "--help")
    assert code == 0 and "[obligatoire]" in french and "Afficher cette aide et quitter." in french, french
    assert " Utilisation\u00a0: registry passport print [OPTIONS] PASSPORT" in french
    code, arabic = said_in_process(monkeypatch, capsys, "verify", "--help", LANG="ar_MA.UTF-8")
    assert code == 0 and "╭─ الخيارات" in arabic and "\n أمثلة:" in arabic and "Examples:" not in arabic, arabic
    code, english = said_in_process(monkeypatch, capsys, "--lang", "en", "passport", "--help", LANG="fr_FR.UTF-8")
    assert code == 0 and "╭─ Commands" in english and "Show this message and exit." in english, english
    assert " Usage: registry passport [OPTIONS] COMMAND" in english
    # --lang after --help (both eager, read in the order given): the root's screen in French all the same.
    code, after = said_in_process(monkeypatch, capsys, "--help", "--lang", "fr")
    assert code == 0 and " Utilisation\u00a0: registry [OPTIONS] COMMAND" in after and "╭─ Commandes" in after, after
    code, after = said_in_process(monkeypatch, capsys, "--home", "x", "--help", "--lang=ar")
    assert code == 0 and "╭─ الأوامر" in after, after


def test_the_root_s_and_verify_s_own_help_texts_speak_french_and_arabic(monkeypatch: Any, capsys: Any) -> None:
    """The commands registry/cli/helpwords.py names say their own words in the run's language (the root's each
    command's first paragraph too); English as written, after a French screen in the same process."""
    monkeypatch.setenv("COLUMNS", "400")  # one line a paragraph: the words, not where they wrap
    code, french = said_in_process(monkeypatch, capsys, "--lang", "fr", "verify", "--help")
    assert code == 0 and "Vérifier des attestations et des passeports\u00a0: code de sortie 0 valide" in french
    assert "Afficher le ou les rapports en JSON." in french and "Print the report" not in french, french
    code, arabic = said_in_process(monkeypatch, capsys, "--help", "--lang", "ar")
    assert code == 0 and "تشغيل خدمة السجل: صفحة ويب" in arabic and "لغة المخرجات المقروءة" in arabic, arabic
    assert not re.search(r"Verify credentials|Run the registry service|Language of the human output", arabic)
    code, english = said_in_process(monkeypatch, capsys, "verify", "--help")
    assert code == 0 and "Verify credentials and passports: exit 0 valid" in english and "Vérifier" not in english


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_every_example_s_comment_speaks_the_language_and_fits_80_columns(
    code: str, monkeypatch: Any, capsys: Any
) -> None:
    """Each example's comment in the run's language, on one line of an 80-column screen (as the English ones,
    tests/cli/test_help.py); the command lines as written. Before helpwords.examples_in_language, only
    "Examples:" was translated: `# a training centre issues...` stayed English here (checked then)."""
    from registry import i18n
    from registry.cli.examples import EXAMPLES

    monkeypatch.setenv("COLUMNS", "80")
    for command, lines in EXAMPLES.items():
        code_, screen = said_in_process(monkeypatch, capsys, "--lang", code, *command.split(), "--help")
        i18n.use(code)
        heading = i18n._("Examples:")
        expected = [f"# {i18n._(line[2:])}" if line.startswith("# ") else line.strip() for line in lines]
        i18n.use(i18n.DEFAULT)
        shown = [line.strip() for line in re.split(f"\n {heading} *\n", screen)[1].splitlines() if line.strip()]
        assert code_ == 0 and shown == expected, (command, shown)
        assert not set(lines) & set(shown) - {line for line in lines if not line.startswith("# ")}, command


def test_a_verifier_makes_her_trust_list_in_french_and_arabic(monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    """`trust-list create`, `add` (a root already listed: accepted in one more registry; refused twice), `remove`:
    each line and refusal in her language. All were English before (checked then), the line of a root already
    listed written with a second copy of the registry's words (now `_registry_words`, as `show` says them)."""
    from tests.cli.test_trust_lists import deployment_file

    did, their = "did:ebsi:zuHbsSkx6w2njKqzyLZ74nw", str(deployment_file(tmp_path))
    listed = ("--file", str(tmp_path / "l.json"))
    code, said = said_in_process(monkeypatch, capsys, "--lang", "fr", "trust-list", "create", "--name", "Liste",
                                 *listed)  # fmt: skip
    assert code == 0 and "liste de confiance " in said and " créée\u00a0: ajoutez les racines que" in said, said
    code, said = said_in_process(monkeypatch, capsys, "--lang", "fr", "trust-list", "add", did, "--name", "A", *listed)
    assert code == 0 and f"l.json\u00a0: A ({did}) ajoutée" in said, said
    code, said = said_in_process(monkeypatch, capsys, "--lang", "ar", "trust-list", "add", did, "--registry", their,
                                 *listed)  # fmt: skip
    assert code == 0 and f"l.json: A ({did}) صار مقبولًا أيضًا في سجل السلسلة 4242 المنشور في الكتلة 7" in said, said
    code, said = said_in_process(monkeypatch, capsys, "--lang", "ar", "trust-list", "add", did, "--registry", their,
                                 *listed)  # fmt: skip
    assert code == 1 and said.endswith("باسم 'A': إنه مثبّت على ذلك السجل من قبل\n"), said
    code, said = said_in_process(monkeypatch, capsys, "--lang", "fr", "trust-list", "remove", "A", *listed)
    assert code == 0 and f"l.json\u00a0: A ({did}) retirée" in said, said
    code, said = said_in_process(monkeypatch, capsys, "--lang", "fr", "trust-list", "remove", did, *listed)
    assert code == 1 and "ne figure pas dans la liste de confiance «\u00a0Liste\u00a0»" in said, said


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_every_command_s_help_has_no_english_paragraph_left(code: str, monkeypatch: Any, capsys: Any) -> None:
    """Every command's --help: no paragraph of its help, its options' or its commands' shows in English (each is
    one line at 400 columns), nor `[default: …]`. Before, only the root's and verify's words were translated:
    `passport create --help --lang fr` was English but for its frame (checked then, as a command whose words the
    catalogs lacked)."""
    import typer

    from registry.cli.app import app
    from registry.cli.helpextract import _texts

    monkeypatch.setenv("COLUMNS", "400")
    root = typer.main.get_command(app)
    english = {p for text in _texts(root) for p in text.partition("\f")[0].split("\n\n")}
    english -= {"", "Show this message and exit."}
    paths = [command_path.split()[1:] for command_path in _paths(root)]
    assert len(paths) > 80
    for path in paths:
        status, screen = said_in_process(monkeypatch, capsys, "--lang", code, *path, "--help")
        left = [p for p in english if p in screen and len(p) > 20]
        assert status == 0 and not left and "[default: " not in screen, (path, left)


def _paths(command: Any, path: str = "registry") -> list[str]:
    return [path, *(p for name, sub in getattr(command, "commands", {}).items() for p in _paths(sub, f"{path} {name}"))]


def test_a_trust_list_is_shown_in_french_and_arabic(monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    """`trust-list show`: its heading (a plural of each language's own), a root without a name or a registry."""
    listed = {"format": "registry-trust-list/1", "name": "Authority",
              "roots": [{"did": "did:ebsi:zuHbsSkx6w2njKqzyLZ74nw", "name": None, "registries": []}]}  # fmt: skip
    (tmp_path / "list.json").write_text(json.dumps(listed))
    args = ("trust-list", "show", "--file", str(tmp_path / "list.json"))
    code, french = said_in_process(monkeypatch, capsys, "--lang", "fr", *args)
    assert code == 0 and "liste de confiance " in french and "(Authority)\u00a0: 1 racine\n" in french, french
    assert "(sans nom)" in french
    assert "acceptée seulement dans votre propre déploiement (aucun --registry donné)" in french
    code, arabic = said_in_process(monkeypatch, capsys, "--lang", "ar", *args)
    assert code == 0 and "(Authority): جذر واحد (1)\n" in arabic and "(بلا اسم)" in arabic, arabic
    assert "مقبول في نشرك الخاص فقط" in arabic and "accepted" not in arabic


def test_node_lines_and_a_name_close_to_an_identity_s_speak_french_and_arabic(
    monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    """`node status` with no node, and an identity name one letter off ("did you mean ...?"): in her language.
    Both were English whatever the language (found replaying them by hand with `--lang fr`; checked then)."""
    home = ("--home", str(tmp_path / "home"))
    code, said = said_in_process(monkeypatch, capsys, *home, "--lang", "fr", "node", "status", "--port", "1")
    assert code == 1 and "anvil ne tourne pas, et aucun nœud ne répond à http://127.0.0.1:1" in said, said
    code, said = said_in_process(monkeypatch, capsys, *home, "--lang", "ar", "node", "status", "--port", "1")
    assert code == 1 and "anvil لا يعمل، ولا تجيب أي عقدة على http://127.0.0.1:1" in said, said
    monkeypatch.setenv("REGISTRY_SCRYPT_N", "16384")
    monkeypatch.setenv("REGISTRY_PASSPHRASE", "test words")
    assert said_in_process(monkeypatch, capsys, *home, "identity", "create", "training-centre")[0] == 0
    code, said = said_in_process(monkeypatch, capsys, *home, "--lang", "fr", "identity", "show", "trainingcentre")
    assert code == 1 and "\u00a0: vouliez-vous dire training-centre\u00a0? (`registry identity show NOM`)" in said, said
    code, said = said_in_process(monkeypatch, capsys, *home, "--lang", "ar", "identity", "show", "trainingcentre")
    assert code == 1 and ": هل تقصد training-centre؟ (`registry identity show NAME`)" in said, said
