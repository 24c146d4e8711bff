#!/usr/bin/env python3
"""Make a synthetic tracker paper file for timing: seeded, so the same seed gives the same bytes.

The mix copies the reference tracker (data/2021-09-hmicfrs-tracker.yaml): text and comment
lengths are drawn from its measured lengths, statuses in its proportions (RED with a
rationale, WHITE with a lead), tasks on about one item in ten, due histories of one to four
steps with notes, Markdown comments with paragraphs, bullets and underlined lead-ins. Reports
hold 15 to 25 items each. Nothing in the output depends on the clock or the machine.

`--scale` multiplies every drawn length, for papers of shorter items than the reference
tracker's (its 1,000 items fill about 770 pages); the draws are the same, so only the lengths
change.

Run: .venv/bin/python bench/make_tracker.py ITEMS SEED OUT.yaml [--scale FACTOR]
"""

from __future__ import annotations

import argparse
import calendar
import random
from pathlib import Path
from typing import Any

import yaml

from boardpack.identity import slug

PERIOD = (2021, 9)
"""The month reported on, as in the reference tracker."""

# Lengths (characters) measured on the reference tracker; each draw picks one and jitters it.
TEXT_LENGTHS = (77, 109, 112, 113, 131, 142, 176, 177, 177, 186, 188, 216, 218, 228, 232, 235, 237, 238, 239, 241, 248,
                254, 255, 256, 258, 266, 279, 287, 290, 324, 335, 359, 364, 371, 383, 383, 385, 388, 410, 420, 436, 447,
                453, 460, 516, 566, 569, 587, 597, 605, 612, 617, 621, 636, 656, 663, 703, 804, 814, 884, 1165, 1218,
                1237, 1329, 1886, 3578)
COMMENT_LENGTHS = (21, 26, 34, 34, 34, 35, 54, 64, 82, 82, 82, 88, 88, 88, 114, 128, 131, 134, 144, 152, 159, 171, 183,
                   185, 213, 232, 282, 282, 304, 317, 325, 325, 358, 389, 431, 521, 539, 541, 545, 566, 582, 642, 705,
                   711, 712, 768, 781, 810, 858, 858, 1013, 1068, 1078, 1142, 1456, 1457, 1716, 1947, 2421, 4152, 6953)
RATIONALE_LENGTHS = (69, 79, 80, 83, 178, 353, 391, 443)
TASK_TEXT_LENGTHS = (80, 90, 98, 110, 119, 128, 130, 167, 169, 185, 205, 211, 222, 250, 255, 317, 327)
TASK_POSITION_LENGTHS = (33, 60, 77, 121, 171, 172, 185, 188, 199, 289, 342, 369, 481, 570, 606, 815, 1218)

STATUS_WEIGHTS = {"AMBER": 27, "WHITE": 24, "NEW GREEN": 22, "RED": 11, "GREEN": 8, "CLOSED": 8}
TYPE_WEIGHTS = {"Recommendation": 83, "Area for Improvement": 14, "Suggested Action": 2, "Cause of Concern": 1}
DUE_STEPS_WEIGHTS = {1: 55, 2: 25, 3: 12, 4: 8}

SCOPES = ("national", "national thematic", "national joint thematic", "force", "joint investigation", "Joint national")
BODIES = ("HMICFRS", "HMICFRS", "HMICFRS", "HMICFRS and HMCPSi", "HMICFRS, College of Policing and IPOC")
TOPICS = ("the police response to fraud", "the policing of protests", "custody services", "crime data integrity",
          "the response to domestic abuse", "roads policing", "the use of stop and search", "counter-corruption",
          "vetting and misconduct", "digital forensics", "child protection", "the response to rape",
          "engagement with women and girls", "serious and organised crime", "police leadership",
          "the management of registered sex offenders", "firearms licensing", "victim services")
TITLE_FORMS = ("An inspection of {}", "A joint thematic inspection of {}", "A review of {}", "An inspection into {}",
               "PEEL assessment: {}", "Interim report on {}")
ADDRESSEES = ("chief constables", "the Home Office", "the College of Policing", "chief constables, and police and crime commissioners",
              "the National Police Chiefs' Council")
LEADS = ("Home Office", "National Police Chiefs' Council", "College of Policing", "National Crime Agency",
         "National Criminal Justice Board", "Crown Prosecution Service", "City of London Corporation")
LEAD_INS = ("Current position", "Next steps", "Short-term", "Medium term", "Monitoring of recommendations", "Task",
            "Update", "Background")
DUE_NOTES = ("for review", "for initial review [completed]", "to further assess performance", "pending the results of benchmarking",
             "for a report to CSB", "to monitor compliance within the new system", "for update from the joint working group",
             "[subject to review]", "for the revision and publication of force SOP", "to ensure improvements are embedded")
STATUS_NOTES = ("pending Transform changes", "pending the outcome of the NPCC Lead challenge to HMICFRS")

WORDS = (
    "the force", "officers", "and", "staff", "should", "review", "their", "use", "of", "to", "in", "a", "is", "for",
    "with", "on", "that", "this", "has", "been", "will", "be", "by", "as", "are", "report", "working group", "procedure",
    "SOP", "supervisors", "victims", "investigation", "recommendation", "national", "guidance", "College of Policing",
    "Home Office", "partners", "performance", "information", "unit", "training", "body-worn video", "stop and search",
    "use of force", "data", "quality", "recorded", "Niche", "crime", "domestic abuse", "safeguarding", "vulnerable",
    "Public Protection Unit", "Economic Crime", "custody", "process", "monitoring", "audit", "dip sampling", "quarterly",
    "meeting", "strategic", "tactical", "lead", "board", "governance", "oversight", "progress", "improvement", "action",
    "plan", "delivery", "capability", "capacity", "resourcing", "vacancies", "Transform", "programme", "consultation",
    "signoff", "drafted", "agreed", "implemented", "completed", "ongoing", "considered", "established", "effective",
    "consistent", "appropriate", "including", "between", "across", "within", "through", "before", "after", "under",
    "currently", "further", "regular", "sufficient", "community", "scrutiny", "panel", "independent", "advisory",
    "group", "members", "evidence", "outcomes", "prosecution", "support", "services", "referrals", "assessment",
    "risk", "harm", "threat", "analysis", "dashboard", "reporting", "compliance", "standards", "professional",
    "development", "learning", "feedback", "frontline", "response", "calls for service", "intelligence", "partnership",
    "City of London", "Corporation", "commissioned", "advocate", "ISVA", "MOU", "CPS", "RASSO", "HMICFRS",
)
BOLD_WORDS = ("immediately", "all", "must", "not", "strongly recommend")


def months_after(year: int, month: int, months: int) -> tuple[int, int]:
    """The month `months` after (or before, if negative) the given one."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month_text(when: tuple[int, int]) -> str:
    return f"{when[0]:04d}-{when[1]:02d}"


class Writer:
    """Draws words, sentences and Markdown from one seeded random source."""

    def __init__(self, seed: int, scale: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.scale = scale

    def pick(self, weights: dict[Any, int]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def length(self, lengths: tuple[int, ...]) -> int:
        """A length from the reference distribution, jittered by up to a fifth either way, then scaled."""
        return max(20, round(self.rng.choice(lengths) * self.rng.uniform(0.8, 1.2) * self.scale))

    def sentence(self, words: int | None = None) -> str:
        count = words or self.rng.randint(8, 30)
        parts = [self.rng.choice(WORDS) for _ in range(count)]
        if self.rng.random() < 0.05:
            parts.insert(self.rng.randrange(len(parts)), f"**{self.rng.choice(BOLD_WORDS)}**")
        if count > 12 and self.rng.random() < 0.5:
            parts[self.rng.randrange(4, count - 4)] += ","
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, target: int) -> str:
        """Sentences until about `target` characters."""
        out = [self.sentence()]
        while sum(len(s) + 1 for s in out) < target:
            out.append(self.sentence())
        return " ".join(out)

    def bullets(self, target: int) -> str:
        count = self.rng.randint(2, 5)
        each = max(30, target // count)
        return "\n".join(f"- {self.paragraph(each)}" for _ in range(count))

    def markdown(self, target: int, lead_ins: bool = True) -> str:
        """Paragraphs, bullet lists and underlined lead-ins, about `target` characters in all."""
        if target < 160:
            return self.paragraph(target)
        blocks: list[str] = []
        written = 0
        while written < target:
            left = target - written
            kind = self.rng.random()
            if blocks and kind < 0.2:
                block = self.bullets(min(left, self.rng.randint(150, 700)))
            elif lead_ins and kind < 0.3:
                lead = f"[{self.rng.choice(LEAD_INS)}]{{.underline}}"
                body = self.paragraph(min(left, self.rng.randint(80, 500)))
                block = f"{lead}\n\n{body}" if self.rng.random() < 0.4 else f"{lead} {body}"
            else:
                block = self.paragraph(min(left, self.rng.randint(80, 600)))
            blocks.append(block)
            written += len(block)
        return "\n\n".join(blocks)

    def due(self, published: tuple[int, int], status: str) -> list[Any]:
        """A history of one to four steps, each later than the one before; open items end after the period."""
        steps = self.pick(DUE_STEPS_WEIGHTS)
        if status == "AMBER":
            last = months_after(*PERIOD, self.rng.randint(0, 12))
        else:
            last = months_after(*published, self.rng.randint(2, 20))
        dates = [last]
        for _ in range(steps - 1):
            dates.insert(0, months_after(*dates[0], -self.rng.randint(1, 6)))
        history: list[Any] = []
        for n, when in enumerate(dates):
            if self.rng.random() < (0.3 if n == 0 else 0.75):
                history.append({"date": month_text(when), "note": self.rng.choice(DUE_NOTES)})
            else:
                history.append(month_text(when))
        return history

    def tasks(self, number: int, item_status: str) -> list[dict[str, Any]]:
        out = []
        for t in range(self.rng.randint(1, 5)):
            task: dict[str, Any] = {"ref": f"{number}.{t + 1}", "text": self.markdown(self.length(TASK_TEXT_LENGTHS), lead_ins=False)}
            if self.rng.random() < 0.9:
                task["position"] = self.markdown(self.length(TASK_POSITION_LENGTHS))
            if self.rng.random() < 0.4:
                # Done items only have done tasks, so the check has nothing to warn about.
                task["status"] = "GREEN" if item_status in ("GREEN", "NEW GREEN", "CLOSED") else self.rng.choice(("GREEN", "AMBER"))
                if task["status"] == "AMBER" and self.rng.random() < 0.5:
                    task["due"] = month_text(months_after(*PERIOD, self.rng.randint(1, 9)))
            out.append(task)
        return out

    def item(self, number: int, published: tuple[int, int]) -> dict[str, Any]:
        status = self.pick(STATUS_WEIGHTS)
        item: dict[str, Any] = {"ref": str(number), "type": self.pick(TYPE_WEIGHTS)}
        if self.rng.random() < 0.09:
            item["to"] = self.rng.choice(ADDRESSEES)
        text_length = self.length(TEXT_LENGTHS)
        if text_length > 600 and self.rng.random() < 0.5:
            intro = self.paragraph(self.rng.randint(100, 300))
            item["text"] = f"{intro}\n\nAs a minimum, the following should be included:\n\n{self.bullets(text_length - len(intro))}"
        else:
            item["text"] = self.paragraph(text_length)
        item["status"] = status
        if self.rng.random() < 0.03:
            item["status_note"] = self.rng.choice(STATUS_NOTES)
        if status == "RED":
            item["rationale"] = self.markdown(self.length(RATIONALE_LENGTHS), lead_ins=False)
        if status == "WHITE":
            item["lead"] = self.rng.choice(LEADS)
        if status != "WHITE" or self.rng.random() < 0.3:
            item["due"] = self.due(published, status)
        has_tasks = self.rng.random() < 0.1
        if not has_tasks or self.rng.random() < 0.4:
            if self.rng.random() < 0.93:
                item["comment"] = self.markdown(self.length(COMMENT_LENGTHS))
        if has_tasks:
            item["tasks"] = self.tasks(number, status)
        return item

    def report(self, items: int, published: tuple[int, int]) -> dict[str, Any]:
        title = self.rng.choice(TITLE_FORMS).format(self.rng.choice(TOPICS))
        report: dict[str, Any] = {"title": title, "scope": self.rng.choice(SCOPES), "by": self.rng.choice(BODIES)}
        day = self.rng.randint(1, calendar.monthrange(*published)[1])
        report["published"] = f"{month_text(published)}-{day:02d}"
        if self.rng.random() < 0.08:
            report["summary"] = self.paragraph(self.rng.randint(80, 250))
        report["items"] = [self.item(n + 1, published) for n in range(items)]
        return report


def distinct(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reports whose titles repeat one drawn earlier, given an `id:` of their own ('...-2'), as check asks.

    Titles are drawn from a short list, so a long paper repeats some; a report's identity is
    its title's slug unless it has an `id:`. Nothing else is drawn, so the rest of the paper is
    the same as before.
    """
    seen: dict[str, int] = {}
    out = []
    for report in reports:
        key = slug(report["title"])
        seen[key] = seen.get(key, 0) + 1
        out.append({"id": f"{key}-{seen[key]}", **report} if seen[key] > 1 else report)
    return out


def make_tracker(items: int, seed: int, scale: float = 1.0) -> dict[str, Any]:
    """A tracker paper of `items` items in reports of 15 to 25 items, newest report first; `scale` multiplies text lengths."""
    writer = Writer(seed, scale)
    sizes: list[int] = []
    while sum(sizes) < items:
        sizes.append(min(writer.rng.randint(15, 25), items - sum(sizes)))
    # A short last report is shared out among the others, one item each.
    if len(sizes) > 1 and sizes[-1] < 15:
        for n in range(sizes.pop()):
            sizes[n % len(sizes)] += 1
    # Newest report first, all within the four years before the period.
    months = sorted(writer.rng.randint(1, 48) for _ in sizes)
    reports = distinct([writer.report(size, months_after(*PERIOD, -back)) for size, back in zip(sizes, months, strict=True)])
    return {
        "paper": {
            "title": "HMICFRS Report Recommendations",
            "appendix": "A",
            "period": month_text(PERIOD),
            "committee": "Police Authority Board",
            "organisation": "Synthetic Constabulary",
            "layout": "tracker",
            "classification": "OFFICIAL",
        },
        "reports": reports,
    }


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, as the reference papers are written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value + "\n", style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump(paper: dict[str, Any], items: int, seed: int, scale: float = 1.0) -> str:
    scaled = f", lengths x{scale:g}" if scale != 1.0 else ""
    header = f"# Synthetic tracker for timing: {items} items, seed {seed}{scaled}; made by bench/make_tracker.py.\n"
    return header + yaml.dump(paper, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("items", type=int, help="number of items")
    parser.add_argument("seed", type=int, help="random seed; the same seed gives the same file")
    parser.add_argument("out", type=Path, help="paper file to write (.yaml)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every text length by this (default 1: the reference tracker's)")
    args = parser.parse_args(argv)
    if args.items < 1:
        parser.error("items must be at least 1")
    if not 0 < args.scale <= 10:
        parser.error("--scale must be above 0 and at most 10")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump(make_tracker(args.items, args.seed, args.scale), args.items, args.seed, args.scale), encoding="utf-8")


if __name__ == "__main__":
    main()
