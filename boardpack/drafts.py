"""E-mail drafts for the owners' round, and sending them.

Each message is made by the standard library's `email` package from a text template in
`templates/` that the secretariat edits (its first line is the subject). Saved as `.eml` with
`X-Unsent: 1`, Outlook opens it as a draft ready to send, addressed, with the workbook
attached. `send()` delivers the same messages by SMTP, with the server, port, TLS and
credentials from a settings file or the environment, never from the command line.

Data fill the template's blanks and nothing else: the template is rendered in Jinja's sandbox,
and an owner's name or a report title is only ever a value, never template code.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import BoardpackError, UsageError

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
RETURN_TEMPLATE = "returns-email.txt"
REMINDER_TEMPLATE = "reminder-email.txt"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    kind: tuple[str, str] = XLSX


@dataclass(frozen=True)
class Draft:
    """One message to one owner."""

    owner: str
    to: str | None
    cc: str | None
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()

    def message(self, sender: str | None = None, when: Any = None) -> EmailMessage:
        """The message; `X-Unsent: 1` makes Outlook open the saved file as a draft to send."""
        msg = EmailMessage(policy=SMTP)
        msg["Subject"] = self.subject
        if sender:
            msg["From"] = sender
        if self.to:
            msg["To"] = self.to
        if self.cc:
            msg["Cc"] = self.cc
        if when is not None:
            msg["Date"] = format_datetime(when)
            msg["Message-ID"] = make_msgid(domain=(sender or "boardpack.invalid").rsplit("@", 1)[-1])
        msg["X-Unsent"] = "1"
        msg.set_content(self.body)
        for attachment in self.attachments:
            msg.add_attachment(attachment.data, maintype=attachment.kind[0], subtype=attachment.kind[1], filename=attachment.name)
        if self.attachments:  # the same message, the same bytes: a boundary from its content, not a random one
            digest = hashlib.sha256(self.body.encode() + b"".join(a.name.encode() + a.data for a in self.attachments)).hexdigest()
            msg.set_boundary(f"==boardpack-{digest[:32]}")
        return msg

    def eml(self, sender: str | None = None) -> bytes:
        """The draft as an .eml file's bytes (CRLF line ends, as mail files have them)."""
        return self.message(sender).as_bytes(policy=SMTP)


class TemplateError(BoardpackError):
    """A mail template that cannot be used: its file, line and what is wrong."""


def _environment(templates: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(templates)), undefined=jinja2.StrictUndefined,
                                autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


_OPENING_COMMENT = re.compile(r"\s*(?:\{#.*?#\}\s*)?", re.DOTALL)


def render(templates: Path, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) from a mail template whose first line (after an opening comment) is `Subject: ...`.

    The subject line is rendered on its own, so a value with a line break (a title pasted with
    one) stays in the subject instead of starting the body.
    """
    env = _environment(templates)
    path = templates / name
    try:
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        start = _OPENING_COMMENT.match(source)
        skipped = source[: start.end() if start else 0]
        first, _, rest = source[len(skipped):].partition("\n")
        line = skipped.count("\n") + 1
        if not first.lower().startswith("subject:"):
            raise TemplateError(f"{path}:{line}: the first line must be `Subject: ...`")
        subject = " ".join(env.from_string("\n" * (line - 1) + first.split(":", 1)[1]).render(**context).split())
        body = env.from_string("\n" * line + rest).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{path}: no such template; it ships in templates/") from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as exc:
        raise TemplateError(f"{path}: {exc}; the blanks a mail template may use are listed at its top") from None
    return subject, body.lstrip("\n")


def save(drafts: Iterable[Draft], folder: Path, name: str = "{owner}.eml", sender: str | None = None) -> dict[str, bytes]:
    """{file name: .eml bytes} for the drafts; the caller writes them (atomically, with the workbooks)."""
    out: dict[str, bytes] = {}
    for draft in drafts:
        out[name.format(owner=draft.owner)] = draft.eml(sender)
    return out


# --- sending --------------------------------------------------------------------------------------

ENVIRONMENT = {"host": "BOARDPACK_SMTP_HOST", "port": "BOARDPACK_SMTP_PORT", "tls": "BOARDPACK_SMTP_TLS",
               "user": "BOARDPACK_SMTP_USER", "password": "BOARDPACK_SMTP_PASSWORD", "sender": "BOARDPACK_MAIL_FROM"}
TLS_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: from a settings file (`[smtp]` in TOML) or BOARDPACK_SMTP_* variables."""

    host: str
    sender: str
    port: int = 587
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def load(cls, path: Path | None = None, environ: Mapping[str, str] | None = None) -> MailSettings:
        """Settings from `path` (TOML, table [smtp]) when given, else from the environment."""
        if path is not None:
            try:
                raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {})
            except OSError as exc:
                raise UsageError(f"{path}: cannot read the mail settings ({exc.strerror or exc})") from None
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{path}: not a TOML settings file ({exc})") from None
            where = f"{path}: [smtp]"
        else:
            env = os.environ if environ is None else environ
            raw = {key: env[name] for key, name in ENVIRONMENT.items() if env.get(name)}
            where = "the environment (" + ", ".join(ENVIRONMENT.values()) + ")"
        allowed = set(ENVIRONMENT) | {"timeout"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise UsageError(f"{where}: unknown setting {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        if not raw.get("host") or not raw.get("sender"):
            raise UsageError(f"{where}: `host` and `sender` (the From address) are needed to send; "
                             "or leave out --send and send the drafts from Outlook")
        tls = str(raw.get("tls", "starttls")).lower()
        if tls not in TLS_MODES:
            raise UsageError(f"{where}: tls = '{tls}'; allowed: {', '.join(TLS_MODES)}")
        try:
            port = int(raw.get("port", 465 if tls == "ssl" else 587))
            timeout = float(raw.get("timeout", 30))
        except (TypeError, ValueError):
            raise UsageError(f"{where}: port is a number, such as 587") from None
        if not 0 < port < 65536:
            raise UsageError(f"{where}: port {port} is not a port number (1 to 65535)")
        return cls(str(raw["host"]), str(raw["sender"]), port, tls, raw.get("user"), raw.get("password"), timeout)


def send(drafts: Iterable[Draft], settings: MailSettings, when: Any = None) -> list[str]:
    """Deliver the drafts over one SMTP connection; the owners they went to. Refused recipients raise."""
    sent: list[str] = []
    context = ssl.create_default_context()
    try:
        if settings.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password or "")
            for draft in drafts:
                if not draft.to:
                    continue
                msg = draft.message(settings.sender, when)
                del msg["X-Unsent"]  # a sent message is no draft
                client.send_message(msg)
                sent.append(draft.owner)
    except (OSError, smtplib.SMTPException) as exc:
        done = f" (sent to {', '.join(sent)} before it failed)" if sent else " (nothing was sent)"
        raise BoardpackError(f"sending by {settings.host}:{settings.port} failed: {exc}{done}") from None
    return sent
