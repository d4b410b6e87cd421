"""Reads the ASEM Education Strategy 2030 document shipped in asem_portal/data.

The portal shows the strategy in the document's own words, so the loader
takes its vision, mission, objectives, priorities, instruments and aims
from the text rather than from a retyped copy.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DOCUMENT = DATA_DIR / "asem-education-strategy-2030.txt"

# Instrument keys used by the process's own records, in the strategy's order.
INSTRUMENT_SLUGS = [
    "people-to-people",
    "policy-dialogue",
    "knowledge-exchange",
    "collaborative-research",
    "multilateral-synergies",
    "visibility-communication",
]

BULLET = re.compile(r"^(?P<indent>\s*)-\s*(?:[✓▶▮]\s*)?(?P<text>.+?)\s*$")
# Markers the document uses for emphasis and bullets, none of which are words.
MARKUP = re.compile(r"\*\*|^[✓▶▮]\s*")


class DocumentError(ValueError):
    """The document does not have the shape the loader expects."""


@dataclass
class PriorityText:
    title: str
    details: list[str] = field(default_factory=list)


@dataclass
class ObjectiveText:
    number: int
    title: str
    priorities: list[PriorityText] = field(default_factory=list)


@dataclass
class InstrumentText:
    slug: str
    name: str
    aims: list[str] = field(default_factory=list)


@dataclass
class StrategyText:
    title: str
    source_document: str
    vision: str
    mission: str
    objectives: list[ObjectiveText]
    instruments: list[InstrumentText]


def _clean(text: str) -> str:
    return MARKUP.sub("", text).strip()


def _section(lines: list[str], start: str, end: str) -> list[str]:
    """The raw lines strictly between the first line equal to start and the next equal to end."""
    stripped = [line.strip() for line in lines]
    try:
        first = stripped.index(start) + 1
        last = stripped.index(end, first)
    except ValueError:
        raise DocumentError(f"the document has no section from {start!r} to {end!r}") from None
    return lines[first:last]


def _paragraph_after(lines: list[str], heading: str) -> str:
    stripped = [line.strip() for line in lines]
    index = stripped.index(heading) + 1
    while not stripped[index]:
        index += 1
    return _clean(stripped[index])


def parse(path: Path = DOCUMENT) -> StrategyText:
    lines = path.read_text(encoding="utf-8").splitlines()
    stripped = [line.strip() for line in lines]

    titles = {}
    for line in _section(lines, "STRATEGIC OBJECTIVES", "HOW?"):
        match = re.match(r"^-\s*(\d)\s+(.+)$", line.strip())
        if match:
            titles[int(match[1])] = _clean(match[2])

    objectives: list[ObjectiveText] = []
    for line in _section(lines, "Strategic Objectives", "Instruments and Working methods"):
        heading = re.match(r"^(\d)\s+\S", line.strip())
        bullet = BULLET.match(line)
        if heading and not bullet:
            number = int(heading[1])
            objectives.append(ObjectiveText(number=number, title=titles[number]))
        elif bullet and objectives:
            text = _clean(bullet["text"])
            if bullet["indent"] and objectives[-1].priorities:
                objectives[-1].priorities[-1].details.append(text)
            else:
                objectives[-1].priorities.append(PriorityText(title=text))

    instruments: list[InstrumentText] = []
    end = len(stripped) - stripped[::-1].index("Asia-Europe Meeting") - 1
    start = stripped.index("Instruments and Working methods") + 1
    for line in lines[start:end]:
        if not line.strip():
            continue
        bullet = BULLET.match(line)
        if bullet and instruments:
            instruments[-1].aims.append(_clean(bullet["text"]))
        elif not bullet:
            if len(instruments) == len(INSTRUMENT_SLUGS):
                raise DocumentError(f"more instruments than expected at {line.strip()!r}")
            instruments.append(InstrumentText(slug=INSTRUMENT_SLUGS[len(instruments)], name=_clean(line)))

    title_index = next(i for i, line in enumerate(stripped) if line.startswith("ASEM Education Strategy 2030"))
    source = ", ".join(
        s.rstrip(",") for s in (stripped[title_index], stripped[title_index + 2], stripped[title_index + 3]) if s
    )

    strategy = StrategyText(
        title="ASEM Education Strategy 2030",
        source_document=source,
        vision=_paragraph_after(lines, "VISION"),
        mission=_paragraph_after(lines, "MISSION"),
        objectives=objectives,
        instruments=instruments,
    )
    if len(objectives) != 4 or len(instruments) != len(INSTRUMENT_SLUGS):
        raise DocumentError(f"found {len(objectives)} objectives and {len(instruments)} instruments")
    return strategy
