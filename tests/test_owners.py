"""The owners directory, routing, e-mail drafts and sending them by SMTP."""

from __future__ import annotations

import email
import shutil
import socket
import textwrap
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from boardpack.build import find_papers
from boardpack.chain import prepare
from boardpack.drafts import Attachment, Draft, MailSettings, TemplateError, render, send
from boardpack.errors import BoardpackError, DataError, UsageError
from boardpack.owners import holders, load_directory, route

from .conftest import DATA, TEMPLATES, run

OWNERS = textwrap.dedent("""\
    # Who answers for items, and where their returns go.
    owners:
      Head of Crime:
        email: crime.head@example.police.uk
        deputy: Deputy Head of Crime
      Deputy Head of Crime:
        email: crime.deputy@example.police.uk
      Professional Standards:
        email: psd@example.police.uk
        deputy: psd.office@example.police.uk
      Home Office:
        inside: false
    """)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_directory_gives_addresses_and_deputies(tmp_path: Path) -> None:
    directory = load_directory(_write(tmp_path, "owners.yaml", OWNERS))
    assert directory.addresses("Head of Crime") == ("crime.head@example.police.uk", "crime.deputy@example.police.uk")
    assert directory.addresses("Professional Standards") == ("psd@example.police.uk", "psd.office@example.police.uk")
    assert directory.addresses("Nobody") == (None, None)
    assert directory.inside("Head of Crime") and not directory.inside("Home Office")


def test_every_mistake_in_the_directory_is_named_with_its_line_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "owners.yaml", textwrap.dedent("""\
        owners:
          Head of Crime:
            emial: crime.head@example.police.uk
          PSD:
            email: "Professional Standards <psd@example.police.uk>"
          Vetting:
            deputy: Head of Crme
          Home Office:
            inside: maybe
        """))
    with pytest.raises(DataError) as caught:
        load_directory(path)
    lines = [str(p) for p in caught.value.problems]
    assert f"{path}:3:5: owners.Head of Crime.emial: unknown key 'emial' (did you mean email?); allowed: email, deputy, inside" in lines
    assert any(line.startswith(f"{path}:5:12: owners.PSD.email: 'Professional Standards <psd@example.police.uk>' is not an e-mail address")
               for line in lines), lines
    assert any(line.startswith(f"{path}:9:13: owners.Home Office.inside: must be true or false") for line in lines), lines
    assert len(lines) == 3  # the model's mistakes first; the rules across owners follow once they are fixed
    _write(tmp_path, "owners.yaml", textwrap.dedent("""\
        owners:
          Head of Crime:
            email: crime.head@example.police.uk
          Vetting:
            deputy: Head of Crme
        """))
    with pytest.raises(DataError) as caught:
        load_directory(path)
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        f"{path}:4:3: owners.Vetting: Vetting is inside the force but has no `email:`; add their address, or `inside: false` for a body outside the force",
        f"{path}:5:13: owners.Vetting.deputy: 'Head of Crme' is not an owner in this file (did you mean Head of Crime?) nor an e-mail "
        "address; name an owner above or write one plain address such as firstname.lastname@cityoflondon.police.uk",
    ]


def test_check_warns_of_owner_names_the_directory_does_not_know_and_builds_pass_it_by(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copy(DATA / "2023-05-casey-response.yaml", _write(data, "owners.yaml", OWNERS).parent)
    paper = data / "2023-05-casey-response.yaml"
    text = paper.read_text(encoding="utf-8").replace("owner: Professional Standards Dept (PSD)", "owner: Professional Standard", 1)
    paper.write_text(text, encoding="utf-8")
    line = text.splitlines().index("        owner: Professional Standard") + 1
    assert find_papers(None, data) == [paper]
    code, out, err = run("check", "--data", str(data))
    assert code == 0, err
    assert f"{paper}:{line}:16: reports[0].items[0].owner: 'Professional Standard' is not in owners.yaml (did you mean Professional Standards?); " \
           "add them there, or use the name it gives them (warning)" in err
    assert f"{data / 'owners.yaml'}: ok · 4 owners" in out
    _write(data, "owners.yaml", "owners:\n  PSD:\n    email: nope\n")
    code, _, err = run("check", "--data", str(data))
    assert code == 1 and f"{data / 'owners.yaml'}:3:12: owners.PSD.email: 'nope' is not an e-mail address" in err


def test_routing_leaves_outside_bodies_out_and_lists_items_without_an_owner(tmp_path: Path) -> None:
    checked = prepare(DATA / "2021-09-hmicfrs-tracker.yaml")
    assert checked.paper is not None
    directory = load_directory(_write(tmp_path, "owners.yaml", OWNERS))
    entries = [(name, lead, (report.title, item.ref)) for name, lead, report, item in holders(checked.paper)]
    routed = route(entries, directory)
    leads = {name for name, lead, _ in entries if lead}
    assert leads and set(routed.outside) == leads and not routed.to  # the reference tracker names no owner of its own
    assert len(routed.unowned) == sum(1 for name, _, _ in entries if not name) == 27  # items; with their open tasks, the 40 rows of the old Unassigned.xlsx
    everyone = route([("Head of Crime", False, "a"), ("Home Office", False, "b"), ("CPS", True, "c"), (None, False, "d")], directory,
                     include_outside=True)
    assert everyone.to == {"Head of Crime": ["a"], "Home Office": ["b"], "CPS": ["c"]} and everyone.unowned == ["d"]
    assert route([("Home Office", False, "b")], directory).outside == {"Home Office": ["b"]}


CONTEXT: dict[str, Any] = {
    "owner": "Head of Crime", "paper": {"title": "HMICFRS Report Recommendations", "committee": "Police Authority Board",
                                        "period": "September 2021"},
    "return_by": "20 October 2021", "workbook": "Head-of-Crime.xlsx", "count": 2, "items": [],
    "overdue": [{"report": "Fraud", "ref": "1", "due": "August 2021"}], "red": [], "sender": "Strategic Development",
    "meeting": "13 October 2021",
}


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_draft_opens_in_outlook_addressed_with_its_workbook_attached() -> None:
    subject, body = render(TEMPLATES, "returns-email.txt", CONTEXT)
    assert subject == "HMICFRS Report Recommendations, September 2021: your update by 20 October 2021"
    book = b"PK\x03\x04 workbook bytes"
    raw = Draft("Head of Crime", "crime.head@example.police.uk", "crime.deputy@example.police.uk", subject, body,
                (Attachment("Head-of-Crime.xlsx", book),)).eml()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = _parsed(raw)
    assert message["X-Unsent"] == "1" and message["To"] == "crime.head@example.police.uk"
    assert message["Cc"] == "crime.deputy@example.police.uk" and message["Subject"] == subject
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    content = text.get_content()
    assert content.startswith("Dear Head of Crime,") and "the 2 open items you answer for" in content
    assert "update of the HMICFRS Report Recommendations at its meeting on 13 October 2021." in content
    assert "1 of them is past its due date" in content and "Fraud, No. 1: due August 2021" in content
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "Head-of-Crime.xlsx" and attachment.get_content() == book
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_data_fill_the_blanks_and_are_never_template_code(tmp_path: Path) -> None:
    hostile = {**CONTEXT, "owner": "{{ 7*7 }} {% raw %}", "paper": {**CONTEXT["paper"], "title": "Title\r\nBcc: all@example.com"}}
    subject, body = render(TEMPLATES, "returns-email.txt", hostile)
    assert body.startswith("Dear {{ 7*7 }} {% raw %},")
    assert subject == "Title Bcc: all@example.com, September 2021: your update by 20 October 2021"
    message = _parsed(Draft("x", "a@example.com", None, subject, body).eml())
    assert message["Bcc"] is None and message["Subject"].strip() == subject
    _write(tmp_path, "returns-email.txt", "Subject: {{ paper.title }}\n\n{{ owner.__class__.__mro__ }}\n")
    with pytest.raises(TemplateError, match="returns-email.txt"):
        render(tmp_path, "returns-email.txt", CONTEXT)
    _write(tmp_path, "returns-email.txt", "Subject: x\n\n{% if %}\n")
    with pytest.raises(TemplateError, match=r"returns-email.txt:3: "):
        render(tmp_path, "returns-email.txt", CONTEXT)
    _write(tmp_path, "returns-email.txt", "Dear {{ owner }}\n")
    with pytest.raises(TemplateError, match="the first line must be `Subject: ...`"):
        render(tmp_path, "returns-email.txt", CONTEXT)


def test_mail_settings_come_from_a_file_or_the_environment(tmp_path: Path) -> None:
    path = _write(tmp_path, "mail.toml", '[smtp]\nhost = "mail.example"\nport = 2525\ntls = "none"\nsender = "sec@example.com"\n')
    settings = MailSettings.load(path)
    assert (settings.host, settings.port, settings.tls, settings.sender, settings.user) == ("mail.example", 2525, "none", "sec@example.com", None)
    env = {"BOARDPACK_SMTP_HOST": "relay", "BOARDPACK_MAIL_FROM": "sec@example.com", "BOARDPACK_SMTP_TLS": "ssl",
           "BOARDPACK_SMTP_USER": "u", "BOARDPACK_SMTP_PASSWORD": "secret"}
    settings = MailSettings.load(None, env)
    assert (settings.port, settings.password) == (465, "secret") and "secret" not in repr(settings)
    with pytest.raises(UsageError, match="`host` and `sender`"):
        MailSettings.load(None, {})
    _write(tmp_path, "mail.toml", '[smtp]\nhost = "h"\nsender = "s@example.com"\ntls = "maybe"\n')
    with pytest.raises(UsageError, match="tls = 'maybe'; allowed: starttls, ssl, none"):
        MailSettings.load(path)


@pytest.fixture
def smtp_server() -> Any:
    """An SMTP server on 127.0.0.1 that keeps what it receives; stopped after the test."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[EmailMessage] = []

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(message_class=EmailMessage), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_send_delivers_each_draft_to_a_local_smtp_server(smtp_server: Any) -> None:
    port, received = smtp_server
    settings = MailSettings("127.0.0.1", "secretariat@example.police.uk", port, "none")
    drafts = [Draft("Head of Crime", "crime.head@example.police.uk", "crime.deputy@example.police.uk", "Subject one", "Body one\n",
                    (Attachment("Head-of-Crime.xlsx", b"book one"),)),
              Draft("Nobody", None, None, "Subject two", "Body two\n"),
              Draft("PSD", "psd@example.police.uk", None, "Subject three", "Body three\n")]
    assert send(drafts, settings) == ["Head of Crime", "PSD"]
    assert len(received) == 2
    first, second = received
    assert first["To"] == "crime.head@example.police.uk" and first["Cc"] == "crime.deputy@example.police.uk"
    assert first["From"] == "secretariat@example.police.uk" and first["X-Unsent"] is None
    assert first["X-RcptTo"] == "crime.head@example.police.uk, crime.deputy@example.police.uk"  # the deputy is copied in
    (attachment,) = [part for part in first.walk() if part.get_filename()]
    assert attachment.get_filename() == "Head-of-Crime.xlsx" and attachment.get_payload(decode=True) == b"book one"
    assert second["To"] == "psd@example.police.uk" and second["Subject"] == "Subject three"


def test_a_server_that_is_not_there_is_a_message_not_a_traceback() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BoardpackError, match=rf"sending by 127.0.0.1:{port} failed: .* \(nothing was sent\)"):
        send([Draft("a", "a@example.com", None, "s", "b\n")], MailSettings("127.0.0.1", "s@example.com", port, "none", timeout=5))
