"""The owners' round end to end: who gets what, drafts to send, merge, the chase list, reminders, sending."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
import textwrap
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from .conftest import DATA, FIXTURES, run
from .test_owners import smtp_server  # noqa: F401 - the fixture

PAPER = FIXTURES / "returns" / "2021-12-tracker.yaml"
OWNERS = textwrap.dedent("""\
    owners:
      Professional Standards:
        email: psd@example.police.uk
        deputy: Crime Directorate
      Crime Directorate:
        email: crime@example.police.uk
      Home Office:
        inside: false
    """)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(PAPER, tmp_path / "data" / PAPER.name)
    (tmp_path / "data" / "owners.yaml").write_text(OWNERS, encoding="utf-8")
    return tmp_path


def folder(project: Path) -> Path:
    return project / "build" / "returns" / PAPER.stem


def _eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _fill(book: Path, ref: str, cells: dict[str, object], to: Path) -> Path:
    wb = load_workbook(book)
    ws = wb["Items"]
    (row,) = [r[0].row for r in ws.iter_rows(min_row=9) if r[2].value == ref]
    for column, value in cells.items():
        ws[f"{column}{row}"] = value
    wb.save(to)
    return to


def test_a_whole_round(project: Path) -> None:
    code, out, err = run("returns", f"data/{PAPER.name}", "--return-by", "2022-01-14")
    assert code == 0, err
    assert "updates wanted by 14 January 2022" in out
    assert "Professional-Standards.xlsx: Professional Standards, 3 rows, to psd@example.police.uk, copy to crime@example.police.uk" in out
    assert "left out: Home Office, 1 item (outside the force" in out
    assert "1 open item without an owner" in out and "Roads Policing - Not Optional, No. 6" in out
    made = folder(project)
    assert sorted(p.name for p in made.glob("*.xlsx")) == ["Crime-Directorate.xlsx", "Professional-Standards.xlsx"]

    draft = _eml(made / "Professional-Standards.eml")
    assert draft["X-Unsent"] == "1" and draft["To"] == "psd@example.police.uk" and draft["Cc"] == "crime@example.police.uk"
    assert draft["Subject"].strip() == "HMICFRS Report Recommendations, December 2021: your update by 14 January 2022"
    body = draft.get_body(preferencelist=("plain",))
    assert body is not None and "the 3 open items you answer for" in body.get_content()
    (attachment,) = list(draft.iter_attachments())
    assert attachment.get_filename() == "Professional-Standards.xlsx"
    assert attachment.get_content() == (made / "Professional-Standards.xlsx").read_bytes()

    state = json.loads((made / "round.json").read_text(encoding="utf-8"))
    assert state["return_by"] == "2022-01-14" and sorted(state["owners"]) == ["Crime Directorate", "Professional Standards"]
    assert state["owners"]["Crime Directorate"]["items"] == ["crime-data-integrity-inspection-2019/4"]

    returned = project / "returned"
    returned.mkdir()
    book = _fill(made / "Crime-Directorate.xlsx", "4", {"H": "GREEN", "K": "Published in November."}, returned / "Crime-Directorate.xlsx")
    code, out, err = run("merge", f"data/{PAPER.name}", str(book))
    assert code == 0, err
    assert "merged 1 change" in out

    code, out, err = run("returns", f"data/{PAPER.name}", "--status")
    assert code == 0, err
    lines = out.splitlines()
    crime = next(line for line in lines if line.startswith("  Crime Directorate:"))
    psd = next(line for line in lines if line.startswith("  Professional Standards:"))
    assert "; returned " in crime and "; merged " in crime and "0 of 1 row still without an update" in crime
    assert "NOT RETURNED; not merged; 3 of 3 rows still without an update" in psd
    assert "      no update: Crime Data Integrity inspection 2019, No. 2.1" in lines

    code, out, err = run("returns", f"data/{PAPER.name}", "--status", "--remind")
    assert code == 0, err
    assert "wrote 1 reminder draft" in out
    reminder = _eml(made / "reminder-Professional-Standards.eml")
    assert reminder["To"] == "psd@example.police.uk" and reminder["Subject"].strip().startswith("Reminder: HMICFRS Report Recommendations")
    text = reminder.get_body(preferencelist=("plain",))
    assert text is not None and "We have not yet received your update" in text.get_content()
    assert [a.get_filename() for a in reminder.iter_attachments()] == ["Professional-Standards.xlsx"]

    code, out, err = run("merge", f"data/{PAPER.name}", str(book))
    assert code == 0, err
    assert f"{book}: Crime Directorate's return was already merged on " in out and "the returns change nothing" in out
    psd = _fill(made / "Professional-Standards.xlsx", "1", {"K": "Desk open."}, returned / "Professional-Standards.xlsx")
    code, out, err = run("merge", f"data/{PAPER.name}", str(book), str(psd))  # item 4 is GREEN now: its return no longer plans
    assert code == 0, err
    assert f"{book}: Crime Directorate's return was already merged on " in out and "No. 1: update added" in out


def test_making_the_workbooks_again_keeps_who_returned_theirs(project: Path) -> None:
    assert run("returns", f"data/{PAPER.name}")[0] == 0
    made = folder(project)
    book = _fill(made / "Crime-Directorate.xlsx", "4", {"K": "Published."}, project / "Crime-Directorate.xlsx")
    assert run("merge", f"data/{PAPER.name}", str(book))[0] == 0
    code, _, err = run("returns", f"data/{PAPER.name}")  # item 4 changed: Crime Directorate's workbook is new
    assert code == 0, err
    state = json.loads((made / "round.json").read_text(encoding="utf-8"))
    assert state["owners"]["Crime Directorate"]["returned"] is None
    assert state["owners"]["Professional Standards"]["returned"] is None


def test_send_delivers_the_round_and_records_when(project: Path, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    port, received = smtp_server
    settings = project / "mail.toml"
    settings.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\nsender = "secretariat@example.police.uk"\n',
                        encoding="utf-8")
    code, out, err = run("returns", f"data/{PAPER.name}", "--send", "--mail-config", str(settings))
    assert code == 0, err
    assert "sent 2 messages by 127.0.0.1" in out
    assert sorted(m["To"] for m in received) == ["crime@example.police.uk", "psd@example.police.uk"]
    assert all(m["From"] == "secretariat@example.police.uk" and m["X-Unsent"] is None for m in received)
    state = json.loads((folder(project) / "round.json").read_text(encoding="utf-8"))
    assert all(part["sent"] for part in state["owners"].values())
    code, out, err = run("returns", f"data/{PAPER.name}", "--status")
    assert code == 0 and "Crime Directorate: sent " in out


def test_send_without_settings_is_refused_before_anything_is_written(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOARDPACK_SMTP_HOST", "BOARDPACK_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run("returns", f"data/{PAPER.name}", "--send")
    assert code == 2 and "`host` and `sender`" in err
    assert not folder(project).exists()


def test_leaving_red_clears_the_rationale_and_check_warns_of_contradictions_and_marks(project: Path) -> None:
    paper = project / "data" / PAPER.name
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace("        status: AMBER   # checked with PSD in November\n",
                                  "        status: RED     # checked with PSD in November\n        rationale: No staff.\n"), encoding="utf-8")
    assert run("returns", f"data/{PAPER.name}")[0] == 0
    book = _fill(folder(project) / "Professional-Standards.xlsx", "1", {"H": "AMBER", "K": "Two officers joined."},
                 project / "Professional-Standards.xlsx")
    code, out, err = run("merge", f"data/{PAPER.name}", str(book))
    assert code == 0, err
    assert "No. 1: status RED → AMBER; update added; RED rationale cleared" in out
    merged = paper.read_text(encoding="utf-8")
    assert "rationale: No staff." not in merged and "        status: AMBER   # checked with PSD in November\n" in merged

    lines = merged.splitlines()
    at = lines.index("        status: AMBER   # checked with PSD in November")
    lines.insert(at + 1, "        rationale: Still short of staff.")
    lines.insert(at, "        # review: the status was a colour only")
    lines[lines.index("  committee: Police Authority Board")] = "  committee: To be confirmed"
    paper.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run("check", f"data/{PAPER.name}")
    assert code == 0, err
    review = lines.index("        # review: the status was a colour only") + 1
    assert f"data/{PAPER.name}:{review}:9: a `# review:` mark is still here: check what it says, then remove the mark (warning)" in err
    confirm = lines.index("  committee: To be confirmed") + 1
    assert f"data/{PAPER.name}:{confirm}:3: 'To be confirmed' is still here: give the value, or leave the key out (warning)" in err
    assert f"data/{PAPER.name}:{review + 2}:20: reports[0].items[0].rationale: a rationale is printed with the status, but this is " \
           "AMBER, not RED; remove `rationale:`" in err


# --- a whole round on the reference tracker -------------------------------------------------

REFERENCE = "2021-09-hmicfrs-tracker.yaml"
REFERENCE_OWNERS = textwrap.dedent("""\
    owners:
      Public Protection:
        email: ppu@example.police.uk
        deputy: Crime Directorate
      Roads Policing:
        email: roads@example.police.uk
      Economic Crime:
        email: fraud@example.police.uk
      Crime Directorate:
        email: crime@example.police.uk
      CPS:
        inside: false
    """)
OWNED = (  # (a line unique to an item, its owner): the reference tracker names no owners
    ("          The deadline is extended to try and obtain the retraction template.\n        due:\n", "Public Protection"),
    ("          The deadline is extended to January 2022 to enable this to be progressed further.\n        due:\n", "Roads Policing"),
    ("        status: AMBER\n        due: 2021-09\n        comment: |\n          This is a new report recently published",
     "Economic Crime"),
)


@pytest.fixture
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference tracker (and its previous paper) with three owners and the owners directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(DATA / "2021-06-hmicfrs-tracker.yaml", tmp_path / "data")
    text = (DATA / REFERENCE).read_text(encoding="utf-8")
    for line, owner in OWNED:
        assert text.count(line) == 1, line
        head, tail = line.rsplit("        ", 1) if line.endswith("due:\n") else ("", line)
        text = text.replace(line, f"{head}        owner: {owner}\n        {tail}" if head else f"        owner: {owner}\n{line}")
    (tmp_path / "data" / REFERENCE).write_text(text, encoding="utf-8")
    (tmp_path / "data" / "owners.yaml").write_text(REFERENCE_OWNERS, encoding="utf-8")
    return tmp_path


def _item(project: Path, title: str, ref: str) -> Any:
    from boardpack.chain import prepare

    checked = prepare(project / "data" / REFERENCE)
    assert checked.paper is not None and not checked.errors, checked.problems
    (item,) = [i for r in checked.paper.reports if r.title == title for i in r.items if i.ref == ref]
    return item


DOMESTIC = "Review of policing domestic abuse during the pandemic"
ROADS = "Roads Policing – Not Optional"


def test_a_whole_round_on_the_reference_tracker(reference: Path, smtp_server: Any) -> None:  # noqa: F811
    paper = f"data/{REFERENCE}"
    code, out, err = run("returns", paper, "--return-by", "2021-09-24")
    assert code == 0, err
    made = reference / "build" / "returns" / Path(REFERENCE).stem
    assert sorted(p.name for p in made.glob("*.xlsx")) == ["Economic-Crime.xlsx", "Public-Protection.xlsx", "Roads-Policing.xlsx"]
    assert "left out: CPS, 1 item (outside the force" in out and "left out: Home Office, " in out  # no workbooks for them
    for name, to, cc in (("Public-Protection", "ppu@example.police.uk", "crime@example.police.uk"),
                         ("Roads-Policing", "roads@example.police.uk", None), ("Economic-Crime", "fraud@example.police.uk", None)):
        draft = _eml(made / f"{name}.eml")
        assert (draft["X-Unsent"], draft["To"], draft["Cc"]) == ("1", to, cc)
        text = draft.get_body(preferencelist=("plain",))
        assert text is not None and "at its meeting on 13 October 2021." in text.get_content()
        (attachment,) = list(draft.iter_attachments())
        assert attachment.get_filename() == f"{name}.xlsx" and attachment.get_content() == (made / f"{name}.xlsx").read_bytes()

    from boardpack.chain import prepare
    from boardpack.derive import view

    checked = prepare(reference / "data" / REFERENCE)
    assert checked.paper is not None and not view(checked.paper, REFERENCE).has_owner  # owners route; they do not print
    printed = checked.paper.model_copy(update={"paper": checked.paper.paper.model_copy(update={"print_owners": True})})
    assert view(printed, REFERENCE).has_owner

    returned = reference / "returned"
    returned.mkdir()
    ppu = _fill(made / "Public-Protection.xlsx", "3", {"H": "AMBER", "I": "June 2022", "K": "The retraction template was obtained."},
                returned / "Public-Protection.xlsx")
    roads = _fill(made / "Roads-Policing.xlsx", "6", {"I": dt.datetime(2022, 3, 31), "J": "pending the CoL review, then a dashboard",
                                                      "K": "The first dashboard was shared in September."}, returned / "Roads-Policing.xlsx")
    data = reference / "data" / REFERENCE
    tidied = data.read_text(encoding="utf-8").replace("Sustained analytical support has been an issue", "Sustained analytical support was an issue")
    data.write_text(tidied, encoding="utf-8")  # the secretariat tidies a comment after the workbooks went out

    code, out, err = run("merge", paper, str(ppu), str(roads))
    assert code == 0, err
    assert f"{DOMESTIC}, No. 3: status RED → AMBER; due date extended to June 2022 (was December 2021); update added; " \
           "RED rationale cleared" in out
    assert f"{ROADS}, No. 6: due date extended to March 2022 (was January 2022); update added" in out
    assert run("check", paper)[0] == 0
    domestic, road = _item(reference, DOMESTIC, "3"), _item(reference, ROADS, "6")
    assert domestic.status == "AMBER" and domestic.rationale is None
    assert [str(s.date) for s in domestic.due] == ["August 2021", "December 2021", "June 2022"]
    assert domestic.comment.startswith("[Update, September 2021:]{.underline} The retraction template was obtained.\n\nAn audit")
    assert (str(road.due[-1].date), road.due[-1].note) == ("March 2022", "pending the CoL review, then a dashboard")
    assert road.comment.startswith("[Update, September 2021:]{.underline} The first dashboard was shared in September.")
    assert "Sustained analytical support was an issue" in road.comment  # the secretariat's edit kept
    assert road.status == "RED" and road.rationale

    code, out, err = run("returns", paper, "--status")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split(":")[0].strip() for line in lines if "NOT RETURNED" in line] == ["Economic Crime"]
    assert sum("; merged " in line for line in lines) == 2

    settings = reference / "mail.toml"
    settings.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server[0]}\ntls = "none"\nsender = "secretariat@example.police.uk"\n',
                        encoding="utf-8")
    code, out, err = run("returns", paper, "--status", "--remind")
    assert code == 0, err
    reminder = _eml(made / "reminder-Economic-Crime.eml")
    body = reminder.get_body(preferencelist=("plain",))
    assert reminder["To"] == "fraud@example.police.uk" and body is not None
    assert "We have not yet received your update" in body.get_content()
    assert [a.get_filename() for a in reminder.iter_attachments()] == ["Economic-Crime.xlsx"]
    code, out, err = run("returns", paper, "--status", "--remind", "--send", "--mail-config", str(settings))
    assert code == 0, err
    received = smtp_server[1]
    assert "fraud@example.police.uk" in [m["To"] for m in received]
    fraud = next(m for m in received if m["To"] == "fraud@example.police.uk")
    assert fraud["Subject"].startswith("Reminder: ") and [a.get_filename() for a in fraud.iter_attachments()] == ["Economic-Crime.xlsx"]


def test_reminders_name_items_due_before_the_meeting_the_paper_goes_to(project: Path) -> None:
    from boardpack.chain import prepare
    from boardpack.round import Round, chase_list

    assert run("returns", f"data/{PAPER.name}")[0] == 0
    state = Round.read(folder(project))
    assert state is not None

    def reminded(today: str) -> list[tuple[str, str, str]]:
        checked = prepare(project / "data" / PAPER.name)
        assert checked.paper is not None
        lines = chase_list(state, checked.paper, weeks=2, today=dt.date.fromisoformat(today))
        return [(line.owner, item["ref"], item["why"]) for line in lines for item in line.overdue + line.due_soon]

    assert reminded("2021-12-20") == [("Professional Standards", "2", "within 2 weeks")]  # January 2022
    paper = project / "data" / PAPER.name
    paper.write_text(paper.read_text().replace("  layout: tracker\n", "  layout: tracker\n  meeting: 2022-02-10\n"))
    assert reminded("2021-12-20") == [("Crime Directorate", "4", "before the meeting on 10 February 2022"),
                                      ("Professional Standards", "2", "before the meeting on 10 February 2022")]
    assert reminded("2022-02-15") == [("Crime Directorate", "4", "within 2 weeks"),  # the meeting is past: only the weeks count
                                      ("Professional Standards", "2", "overdue"), ("Professional Standards", "1", "within 2 weeks")]


def test_a_papers_meeting_is_given_once_and_after_its_period(project: Path) -> None:
    paper = project / "data" / PAPER.name
    text = paper.read_text()
    paper.write_text(text.replace("  layout: tracker\n", "  layout: tracker\n  meeting: 2021-11-30\n"))
    code, _, err = run("check", f"data/{PAPER.name}")
    assert code == 0 and "the meeting (30 November 2021) is not after the period reported on (December 2021); " \
                          "set this quarter's meeting date (warning)" in err, err
    cover = "cover:\n  meeting: 2022-02-10\n  report_of: Commissioner of Police\n  author: Strategic Development\n"
    paper.write_text(text.replace("  layout: tracker\n", "  layout: tracker\n  meeting: 2022-02-11\n").replace("\nreports:\n", f"\n{cover}reports:\n"))
    code, _, err = run("check", f"data/{PAPER.name}")
    assert code == 1 and "the paper's meeting (11 February 2022) is not the cover report's (10 February 2022); " \
                          "give the date once, in `cover: meeting:`" in err, err


def test_a_comma_in_a_hand_written_note_is_explained(project: Path) -> None:
    paper = project / "data" / PAPER.name
    paper.write_text(paper.read_text().replace("{date: 2022-01, note: after recruitment}", "{date: 2022-01, note: after recruitment, then training}"))
    code, _, err = run("check", f"data/{PAPER.name}")
    assert code == 1
    assert "unknown key 'then training'; allowed: date, note, words; if 'then training' is the end of a value written inside { }, " \
           "the comma before it ended that value: put the whole value in quotes" in err, err
