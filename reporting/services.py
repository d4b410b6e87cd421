"""A return's life: opened with its round, saved, submitted, returned with a note, approved; its history and revert.

The web form, the file upload, the API and the admin all call these, so the rules live here only:

- A partner's focal points (and the secretariat) change its return while it is a draft or returned and its round is
  open (can_edit_return). Nobody changes it while it is submitted or approved: the secretariat returns it first.
- Every save names the version it was read at. A save from an older version is refused with what changed since
  (ReturnConflict): two focal points editing at once never lose each other's work silently. A save that passes
  bumps the version and keeps the content as a ReturnVersion, which the history shows and revert restores.
- A save is whole or nothing: every bad value, answer and flow row is named in one ReturnInvalid, keys
  "<indicator code>/<year>", "answer/<question number>", "flow/<index>/<field>", and nothing is written.
- draft -> submitted -> approved, or submitted (or approved) -> returned -> submitted. Approving publishes the
  return's values as the partner's observations (objectives.services.publish_partner_values) and its flows as the
  partner's reported rows (mobility.services.replace_reported_flows): only then are they public.

Each transition reads the return again under a row lock, so two people deciding at once are taken one after the
other and the second sees the first's decision; each queues its email (reporting.emails) for after the commit.
A refusal of whom the rules do not allow is PermissionDenied; of what the state or the input does not allow,
ReturnInvalid.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from core import changes
from core.charts import number
from core.diff import word_diff
from core.roles import is_secretariat
from mobility import services as mobility_services
from mobility.models import DeliveryMode, MobilityFlow, MobilityLevel
from mobility.services import NotAllowed, partner_ids
from objectives import services as objective_services
from objectives.models import Indicator, Observation
from partners.models import Partner
from reporting import emails, signals
from reporting.models import Answer, Question, Return, ReturnFlow, ReturnValue, ReturnVersion, Round

User = AbstractBaseUser | AnonymousUser

FLOW_FIELDS = ("year", "origin", "destination", "mode", "level", "programme", "participants", "female",
               "fewer_opportunities", "source")
COUNT_FIELDS = ("participants", "female", "fewer_opportunities")
ANSWER_MAX_LENGTH = Answer._meta.get_field("text").max_length
PREFILLED = "Prefilled with the partner's approved figures"
EMPTY = "–"


class ReturnInvalid(ValidationError):
    """What is wrong with a save or a transition, keyed by the value, answer, flow cell or "state" it is about."""

    def __init__(self, errors: Mapping[str, list[str] | str]):
        self.errors = {key: [messages] if isinstance(messages, str) else list(messages)
                       for key, messages in errors.items()}
        super().__init__(self.errors)


class ReturnConflict(Exception):
    """Somebody saved the return after the caller read it: what they changed, in words."""

    def __init__(self, changes: list[str]):
        self.changes = changes
        super().__init__("Someone saved this return after you opened it: " + " ".join(changes))


# Who may ----------------------------------------------------------------------------------------------------------


def is_focal_point(user: User, report: Return) -> bool:
    return report.partner_id in partner_ids(user)


def can_see_return(user: User, report: Return) -> bool:
    return is_secretariat(user) or is_focal_point(user, report)


def can_edit_return(user: User, report: Return) -> bool:
    """The partner's focal points, or the secretariat, while the return is a draft or returned in an open round."""
    return can_see_return(user, report) and report.is_editable


def _require_reporter(user: User, report: Return, verb: str) -> None:
    if not can_see_return(user, report):
        raise NotAllowed(f"Only {report.partner.name}'s focal points and the secretariat may {verb} its return.")


def _require_secretariat(user: User, what: str) -> None:
    if not is_secretariat(user):
        raise NotAllowed(f"Only the secretariat may {what}.")


def _state_problem(report: Return) -> str | None:
    """Why the return cannot be changed now, or None when it can."""
    if report.round.state == Round.State.DRAFT:
        return "The round has not opened yet: its returns cannot be changed."
    if report.round.state == Round.State.CLOSED:
        return "The round is closed: its returns can no longer be changed."
    if report.state == Return.State.SUBMITTED:
        return ("This return is submitted: it cannot be changed while the secretariat reviews it. Ask the "
                "secretariat to return it if something must change.")
    if report.state == Return.State.APPROVED:
        return ("This return is approved: it cannot be changed. Ask the secretariat to return it if something must "
                "change.")
    return None


def _lock(report: Return) -> Return:
    """The return read again under a row lock, with its round and partner."""
    return Return.objects.select_for_update(of=("self",)).select_related("round", "partner").get(pk=report.pk)


def _follow(report: Return, locked: Return) -> Return:
    """The caller's instance takes what was written, so a page that goes on to show it shows that."""
    report.__dict__.update({name: value for name, value in locked.__dict__.items() if name != "_state"})
    report._state.fields_cache = dict(locked._state.fields_cache)
    return report


def _actor(user: User | None):
    return user if user is not None and user.is_authenticated else None


# The return's content, as a snapshot --------------------------------------------------------------------------------


def _flow_key(flow: Mapping[str, Any]) -> str:
    return "|".join(str(flow[name]) for name in ("year", "origin", "destination", "mode", "level", "programme"))


def _empty_content() -> dict:
    return {"values": {}, "answers": {}, "flows": []}


def contents(reports: Iterable[Return]) -> dict[int, dict]:
    """The returns' content as their snapshots hold it, in three queries whatever their number."""
    found = {report.pk: _empty_content() for report in reports}
    for report_id, code, year, value in (ReturnValue.objects.filter(report__in=found).order_by()
                                         .values_list("report_id", "indicator__code", "year", "value")):
        found[report_id]["values"][f"{code}/{year}"] = value
    for report_id, question, text in (Answer.objects.filter(report__in=found).order_by()
                                      .values_list("report_id", "question__number", "text")):
        found[report_id]["answers"][str(question)] = text
    for flow in (ReturnFlow.objects.filter(report__in=found).order_by()
                 .values("report_id", "year", "origin__code", "destination__code", "mode", "level", "programme",
                         "participants", "female", "fewer_opportunities", "source")):
        found[flow["report_id"]]["flows"].append(_flow_content(flow, "origin__code", "destination__code"))
    for content in found.values():
        content["flows"].sort(key=_flow_key)
    return found


def _flow_content(row: Mapping[str, Any], origin: str = "origin", destination: str = "destination") -> dict:
    return {"year": row["year"], "origin": row[origin], "destination": row[destination], "mode": row["mode"],
            "level": row["level"], "programme": row["programme"] or "", "participants": row["participants"],
            "female": row["female"], "fewer_opportunities": row["fewer_opportunities"],
            "source": row.get("source") or ""}


def _snapshot(report: Return, *, user: User | None, reason: str = "") -> ReturnVersion:
    return ReturnVersion.objects.create(
        report=report, number=report.version, saved_by=_actor(user), state=report.state, reason=reason[:200],
        content=contents([report])[report.pk],
    )


# Differences between two contents, in words -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One value, answer or flow that differs: as the workspace's history shows a field's change."""

    field: str  # "2.2.p/2024", "answer/1", "flow/2025|DE|TH|physical|higher_education|"
    label: str
    old: str
    new: str
    long_text: bool = False

    @property
    def kind(self) -> str:
        return "answer" if self.field.startswith("answer/") else "flow" if self.field.startswith("flow/") else "value"

    @property
    def was_empty(self) -> bool:
        return self.old in ("", EMPTY)

    @property
    def inline(self) -> bool:
        """Show the words that changed within the text, rather than the old text beside the new."""
        return self.long_text and not self.was_empty and self.new != EMPTY

    @property
    def inline_diff(self) -> SafeString:
        """The old text and the new, words taken out struck through and words put in underlined."""
        return word_diff(self.old, self.new)

    def __str__(self):
        if self.long_text:
            verb = "answered" if self.was_empty else "answer taken out" if self.new == EMPTY else "answer changed"
            return f"{self.label}: {verb}"
        return f"{self.label}: {self.old} → {self.new}"


class Labels:
    """The words a round's changes are shown in: its indicators', questions' and partners' names."""

    def __init__(self, round_: Round, *, partner_names: dict[str, str] | None = None):
        self.indicators = {indicator.code: indicator for indicator in round_.indicators.all()}
        self.questions = {str(question.number): question.text for question in round_.questions.all()}
        # Read when first needed; a dict given is shared, so the labels of several rounds read the names once.
        self._partners = {} if partner_names is None else partner_names

    def partner(self, code: str) -> str:
        if not self._partners:
            self._partners.update(Partner.objects.values_list("code", "name"))
        return self._partners.get(code, code)

    def value(self, key: str) -> str:
        code, year = key.rsplit("/", 1)
        indicator = self.indicators.get(code)
        return f"{code} {indicator.name}, {year}" if indicator else f"{code}, {year}"

    def shown(self, key: str, value: float | None) -> str:
        if value is None:
            return EMPTY
        indicator = self.indicators.get(key.rsplit("/", 1)[0])
        if indicator is None:
            return number(value)
        return number(indicator.at_precision(value), indicator.decimals)

    def flow(self, flow: Mapping[str, Any]) -> str:
        words = [str(flow["year"]), f"{self.partner(flow['origin'])} → {self.partner(flow['destination'])}",
                 str(DeliveryMode(flow["mode"]).label).lower() if flow["mode"] in DeliveryMode.values else flow["mode"],
                 str(MobilityLevel(flow["level"]).label) if flow["level"] in MobilityLevel.values else flow["level"]]
        if flow["programme"]:
            words.append(flow["programme"])
        return "Flow " + ", ".join(words)


def flow_figures(flow: Mapping[str, Any] | None) -> str:
    if flow is None:
        return EMPTY
    text = f"{flow['participants']:,} participants"
    parts = [f"{flow[name]:,} {words}" for name, words in (("female", "female"),
                                                            ("fewer_opportunities", "with fewer opportunities"))
             if flow.get(name) is not None]
    return f"{text} ({', '.join(parts)})" if parts else text


def diff(old: Mapping, new: Mapping, *, labels: Labels) -> list[Change]:
    """What changed from one content to another: values by indicator and year, then answers, then flows."""
    changes = []
    old_values, new_values = old.get("values", {}), new.get("values", {})
    for key in sorted(set(old_values) | set(new_values)):
        before, after = old_values.get(key), new_values.get(key)
        if before != after:
            changes.append(Change(key, labels.value(key), labels.shown(key, before), labels.shown(key, after)))
    old_answers, new_answers = old.get("answers", {}), new.get("answers", {})
    for key in sorted(set(old_answers) | set(new_answers), key=int):
        before, after = old_answers.get(key) or "", new_answers.get(key) or ""
        if before != after:
            label = f"Answer {key}: {labels.questions[key]}" if key in labels.questions else f"Answer {key}"
            changes.append(Change(f"answer/{key}", label, before or EMPTY, after or EMPTY, long_text=True))
    old_flows = {_flow_key(flow): flow for flow in old.get("flows", [])}
    new_flows = {_flow_key(flow): flow for flow in new.get("flows", [])}
    for key in sorted(set(old_flows) | set(new_flows)):
        before, after = old_flows.get(key), new_flows.get(key)
        if flow_figures(before) != flow_figures(after) or (before or {}).get("source") != (after or {}).get("source"):
            changes.append(Change(f"flow/{key}", labels.flow(before or after), flow_figures(before),
                                  flow_figures(after)))
    return changes


def public_contents(reports: list[Return]) -> dict[int, dict]:
    """What is public now of what each return holds: the partner's approved values and reported flows for the
    round's indicators and years, and the answers of the return's last approved version."""
    found = {report.pk: _empty_content() for report in reports}
    if not reports:
        return found
    by_partner_round: dict[tuple[int, int], list[Return]] = defaultdict(list)
    for report in reports:
        by_partner_round[(report.partner_id, report.round_id)].append(report)
    rounds = {report.round_id: report.round for report in reports}
    indicator_ids = {round_id: {indicator.pk for indicator in round_.indicators.all()}
                     for round_id, round_ in rounds.items()}
    partners = {report.partner_id for report in reports}
    years = {year for round_ in rounds.values() for year in round_.years}
    # Each partner's returns' values, with the round's indicators and years: thousands of rows look them up.
    asked = defaultdict(list)
    for (partner_id, round_id), listed in by_partner_round.items():
        asked[partner_id].append((indicator_ids[round_id], set(rounds[round_id].years),
                                  [found[report.pk]["values"] for report in listed]))
    for partner_id, indicator_id, code, year, value in (
        Observation.objects.filter(partner__in=partners, breakdown="", year__in=years,
                                   indicator__in={i for ids in indicator_ids.values() for i in ids})
        .order_by().values_list("partner_id", "indicator_id", "indicator__code", "year", "value")
    ):
        for round_indicators, round_years, targets in asked[partner_id]:
            if indicator_id in round_indicators and year in round_years:
                for target in targets:
                    target[f"{code}/{year}"] = value
    flow_years = {year for round_ in rounds.values() if round_.includes_flows for year in round_.years}
    for flow in (MobilityFlow.objects.filter(reported_by__in=partners, year__in=flow_years).order_by()
                 .values("reported_by_id", "year", "origin__code", "destination__code", "mode", "level", "programme",
                         "participants", "female", "fewer_opportunities", "source")):
        for round_id, round_ in rounds.items():
            if round_.includes_flows and flow["year"] in round_.years:
                for report in by_partner_round.get((flow["reported_by_id"], round_id), []):
                    found[report.pk]["flows"].append(_flow_content(flow, "origin__code", "destination__code"))
    approved = {(report.pk, report.approved_version) for report in reports if report.approved_version is not None}
    if approved:
        for version in ReturnVersion.objects.filter(report__in=[pk for pk, _ in approved]).only(
                "report_id", "number", "content"):
            if (version.report_id, version.number) in approved:
                found[version.report_id]["answers"] = dict(version.content.get("answers", {}))
    for content in found.values():
        content["flows"].sort(key=_flow_key)
    return found


def _when(moment) -> str:
    return date_format(localtime(moment), "j F Y, H:i")


def _who(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def _conflict(report: Return, version: int) -> ReturnConflict:
    """What the saves after `version` changed, for whoever read the return at it."""
    snapshots = {snapshot.number: snapshot for snapshot in
                 report.versions.filter(number__gte=version).select_related("saved_by")}
    words = []
    for number_ in range(version + 1, report.version + 1):
        snapshot = snapshots.get(number_)
        if snapshot is not None:
            how = f" ({snapshot.reason})" if snapshot.reason else ""
            words.append(f"{_who(snapshot.saved_by)} saved version {number_} on {_when(snapshot.saved_at)}{how}.")
    if not words:
        words.append(f"The return is at version {report.version} now, not {version}.")
    current = snapshots.get(report.version)
    # A return the round made without prefilling it started empty: its version 0 has no snapshot of its own.
    read = snapshots[version].content if version in snapshots else _empty_content() if version == 0 else None
    if read is not None and current is not None:
        changes = diff(read, current.content, labels=Labels(report.round))
        words.extend(f"{change}." for change in changes)
        if not changes:
            words.append("Nothing in it differs from what you read: open it again and make your change.")
    words.append("Open the return again to see it as it is now, then make your change.")
    return ReturnConflict(words)


def _check_version(report: Return, version: Any) -> None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ReturnInvalid({"version": "Which version of the return your change is made on is missing: open the "
                                        "return again and make your change."}) from None
    if version < 0 or version > report.version:  # no one read a version the return never had
        raise ReturnInvalid({"version": f"The return has no version {version}: it is at version {report.version}. "
                                        "Open the return again and make your change."})
    if version != report.version:
        raise _conflict(report, version)


# Checking what a save brings --------------------------------------------------------------------------------------


def _number(value: Any) -> float | str | None:
    """A value as a number, None for an empty one, or the text that is not a number."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _year(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _quoted(text: str) -> str:
    text = str(text)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _check_values(round_: Round, values: Mapping) -> tuple[dict[tuple[Indicator, int], float | None], dict]:
    indicators = {indicator.code: indicator for indicator in round_.indicators.all()}
    asked = ", ".join(sorted(indicators)) or "none"
    checked, errors = {}, {}
    for (code, raw_year), raw in values.items():
        key = f"{code}/{raw_year}"
        indicator, year = indicators.get(str(code)), _year(raw_year)
        # Each problem under the part of the value it is about: "<code>/<year>/indicator", ".../year" or the value's.
        problems = {}
        if indicator is None:
            problems[f"{key}/indicator"] = [f"{code} is not asked in this round: it asks for {asked}."]
        if year not in round_.years:
            problems[f"{key}/year"] = [
                f"The round covers {round_.first_year} to {round_.last_year}: {raw_year} is outside it."]
        value = _number(raw)
        if isinstance(value, str):
            problems[key] = [f"{_quoted(value)} is not a number: give {code} for {raw_year} as a number."]
        elif value is not None and not problems and (
                found := objective_services.check_partner_value(indicator=indicator, year=year, value=value)):
            problems[key] = found
        if problems:
            errors.update(problems)
        else:
            checked[(indicator, year)] = None if value is None else float(value)
    return checked, errors


def _check_answers(round_: Round, answers: Mapping) -> tuple[dict[Question, str], dict]:
    questions = {question.number: question for question in round_.questions.all()}
    checked, errors = {}, {}
    for raw_number, text in answers.items():
        number_ = _year(raw_number)
        question = questions.get(number_)
        key = f"answer/{raw_number}"
        text = "" if text is None else str(text).strip()
        if question is None:
            errors[key] = [f"The round has no question {raw_number}: its questions are numbered "
                           f"{', '.join(map(str, sorted(questions))) or 'none'}."]
        elif len(text) > ANSWER_MAX_LENGTH:
            errors[key] = [f"An answer may be at most {ANSWER_MAX_LENGTH:,} characters; this one has {len(text):,}."]
        else:
            checked[question] = text
    return checked, errors


def _count(value: Any) -> tuple[int | None, str | None]:
    """A count as a whole number, or what is wrong with it."""
    value = _number(value)
    if value is None:
        return None, None
    if isinstance(value, str):
        return None, f"{_quoted(value)} is not a number: give a whole number of people."
    if not math.isfinite(value) or value != int(value):
        return None, f"{number(value)} is not a whole number: give a whole number of people."
    if value < 0:
        return None, "A count cannot be below 0."
    return int(value), None


def _check_flows(report: Return, flows: list[Mapping]) -> tuple[list[dict], dict]:
    round_, partner = report.round, report.partner
    partners = {p.code: p for p in Partner.objects.all()}
    rows, errors, seen = [], {}, {}
    for index, given in enumerate(flows):
        unknown = set(given) - set(FLOW_FIELDS)
        problems: dict[str, list[str]] = {}
        if unknown:
            problems["__all__"] = [f"A flow has no {', '.join(sorted(unknown))}."]
        row = {name: given.get(name) for name in FLOW_FIELDS}
        for end in ("origin", "destination"):
            value = row[end]
            if isinstance(value, str):
                row[end] = partners.get(value.strip().upper())
                if row[end] is None:
                    problems[end] = [f"{_quoted(value)} is not an ASEM partner's code."]
            elif value is not None and not isinstance(value, Partner):
                problems[end] = [f"{_quoted(value)} is not an ASEM partner."]
                row[end] = None
        for name in COUNT_FIELDS:
            row[name], problem = _count(row[name])
            if problem:
                problems[name] = [problem]
        row["year"] = _year(row["year"]) if row["year"] not in (None, "") else None
        if given.get("year") not in (None, "") and row["year"] is None:
            problems["year"] = [f"{_quoted(given['year'])} is not a year."]
        elif row["year"] is not None and row["year"] not in round_.years:
            problems["year"] = [f"The round covers {round_.first_year} to {round_.last_year}: {row['year']} is "
                                "outside it."]
        row["programme"] = str(row["programme"] or "").strip()
        row["source"] = str(row["source"] or "").strip()
        row["mode"] = str(row["mode"] or "").strip().lower() or DeliveryMode.PHYSICAL
        row["level"] = str(row["level"] or "").strip().lower()
        for name, messages in mobility_services.flow_check_row(row).items():
            problems.setdefault(name, messages)
        if "origin" not in problems and "destination" not in problems and partner not in (row["origin"],
                                                                                          row["destination"]):
            problems["origin"] = [f"{partner.name} reports only flows that start or end in {partner.name}."]
        if not problems:
            key = (row["year"], row["origin"].pk, row["destination"].pk, row["mode"], row["level"], row["programme"])
            first = seen.setdefault(key, index)
            if first != index:
                problems["__all__"] = [f"This flow repeats flow {first + 1}: a year, origin, destination, mode, "
                                       "level and programme are reported once."]
        for name, messages in problems.items():
            errors[f"flow/{index}/{name}"] = messages
        rows.append(row)
    return rows, errors


# Writing a return ---------------------------------------------------------------------------------------------------


def _write_values(report: Return, values: Mapping[tuple[Indicator, int], float | None]) -> None:
    existing = {(value.indicator_id, value.year): value for value in report.values.all()}
    to_create, to_update, to_delete = [], [], []
    for (indicator, year), value in values.items():
        row = existing.get((indicator.pk, year))
        if value is None:
            if row is not None:
                to_delete.append(row.pk)
        elif row is None:
            to_create.append(ReturnValue(report=report, indicator=indicator, year=year, value=value))
        elif row.value != value:
            row.value = value
            to_update.append(row)
    ReturnValue.objects.filter(pk__in=to_delete).delete()
    ReturnValue.objects.bulk_create(to_create)
    ReturnValue.objects.bulk_update(to_update, ["value"])


def _write_answers(report: Return, answers: Mapping[Question, str]) -> None:
    existing = {answer.question_id: answer for answer in report.answers.all()}
    for question, text in answers.items():
        answer = existing.get(question.pk)
        if not text:
            if answer is not None:
                answer.delete()
        elif answer is None:
            Answer.objects.create(report=report, question=question, text=text)
        elif answer.text != text:
            answer.text = text
            answer.save(update_fields=["text"])


def _write_flows(report: Return, rows: list[dict]) -> None:
    report.flows.all().delete()
    ReturnFlow.objects.bulk_create(ReturnFlow(report=report, **row) for row in rows)


def _write(report: Return, *, user: User, values, answers, flows, reason: str = "") -> Return:
    """Check everything given, then write it all and keep the new version; ReturnInvalid and nothing written."""
    errors = {}
    if values:
        values, value_errors = _check_values(report.round, values)
        errors.update(value_errors)
    if answers:
        answers, answer_errors = _check_answers(report.round, answers)
        errors.update(answer_errors)
    if flows is not None:
        if not report.round.includes_flows and flows:
            errors["flow/0/__all__"] = ["This round asks for no mobility flows."]
        else:
            flows, flow_errors = _check_flows(report, list(flows))
            errors.update(flow_errors)
    if errors:
        raise ReturnInvalid(errors)
    if values:
        _write_values(report, values)
    if answers:
        _write_answers(report, answers)
    if flows is not None:
        _write_flows(report, flows)
    report.version += 1
    report.updated_by = _actor(user)
    report._history_user = _actor(user)
    report.save()
    _snapshot(report, user=user, reason=reason)
    return report


@transaction.atomic
def save_return(*, report: Return, user: User, version: Any, values: Mapping | None = None,
                answers: Mapping | None = None, flows: Iterable[Mapping] | None = None, reason: str = "") -> Return:
    """Change a return's content, whole or nothing, on the version the caller read.

    values: {(indicator code, year): number or None}, None taking the value out; only the keys given change.
    answers: {question number: text}, "" taking the answer out. flows: the return's whole list of flows, partners
    as Partner instances or codes; None leaves them as they are. reason says how it was saved, when not from the
    form (an uploaded file's name, say).
    """
    locked = _lock(report)
    _require_reporter(user, locked, "change")
    if problem := _state_problem(locked):
        raise ReturnInvalid({"state": problem})
    _check_version(locked, version)
    _write(locked, user=user, values=values, answers=answers, flows=flows, reason=reason)
    return _follow(report, locked)


@transaction.atomic
def revert_return(*, report: Return, user: User, number: int) -> Return:
    """Save the content of an earlier version as a new version, which says which it restored."""
    locked = _lock(report)
    _require_reporter(user, locked, "revert")
    if problem := _state_problem(locked):
        raise ReturnInvalid({"state": problem})
    snapshot = locked.versions.filter(number=number).first()
    if snapshot is None:
        raise ReturnInvalid({"version": f"The return has no version {number}."})
    content = snapshot.content
    current = contents([locked])[locked.pk]
    values = {tuple(key.rsplit("/", 1)): None for key in current["values"]}
    values.update({tuple(key.rsplit("/", 1)): value for key, value in content.get("values", {}).items()})
    answers = dict.fromkeys(current["answers"], "")
    answers.update(content.get("answers", {}))
    flows = content.get("flows", []) if locked.round.includes_flows else None
    _write(locked, user=user, values=values, answers=answers, flows=flows,
           reason=f"Reverted to version {number}")
    return _follow(report, locked)


# The review workflow --------------------------------------------------------------------------------------------------


@transaction.atomic
def submit_return(*, report: Return, user: User, version: Any) -> Return:
    """Send a draft or returned return to the secretariat for review, and tell the secretariat."""
    locked = _lock(report)
    _require_reporter(user, locked, "submit")
    if locked.state in (Return.State.SUBMITTED, Return.State.APPROVED):
        raise ReturnInvalid({"state": f"This return is already {locked.get_state_display().lower()}: it cannot be "
                                      "submitted again."})
    if problem := _state_problem(locked):
        raise ReturnInvalid({"state": problem})
    _check_version(locked, version)
    answered = set(locked.answers.exclude(text="").values_list("question_id", flat=True))
    missing = {f"answer/{question.number}": f"Question {question.number} needs an answer before the return is "
                                            "submitted."
               for question in locked.round.questions.filter(required=True) if question.pk not in answered}
    if missing:
        raise ReturnInvalid(missing)
    locked.state = Return.State.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.updated_by = _actor(user)
    locked._history_user = _actor(user)
    locked.save()
    emails.notify(locked, emails.SUBMITTED)
    return _follow(report, locked)


@transaction.atomic
def return_return(*, report: Return, user: User, note: str) -> Return:
    """Send a submitted (or approved) return back to the partner's focal points with a note of what to change."""
    locked = _lock(report)
    _require_secretariat(user, "return a partner's return")
    if locked.state not in (Return.State.SUBMITTED, Return.State.APPROVED):
        raise ReturnInvalid({"state": f"Only a submitted or approved return can be returned; this one is "
                                      f"{locked.get_state_display().lower()}."})
    if locked.round.state != Round.State.OPEN:
        raise ReturnInvalid({"state": "The round is not open: its focal points could not change a returned return. "
                                      "Open the round again first."})
    if not note or not str(note).strip():
        raise ReturnInvalid({"note": "Say what the focal points should change."})
    was_approved = locked.state == Return.State.APPROVED
    locked.state = Return.State.RETURNED
    locked.review_note = str(note).strip()
    locked.updated_by = _actor(user)
    locked._history_user = _actor(user)
    locked.save()
    if was_approved:
        changes.data_changed(refresh=False)  # the round's page no longer lists it approved
    emails.notify(locked, emails.RETURNED)
    return _follow(report, locked)


def _published_rows(report: Return) -> list[dict]:
    return [{name: getattr(flow, name) for name in FLOW_FIELDS}
            for flow in report.flows.select_related("origin", "destination")]


@transaction.atomic
def approve_return(*, report: Return, user: User) -> Return:
    """Approve a submitted return: its values become the partner's observations and its flows the partner's reported
    rows, public from now on; the partner's focal points are told."""
    locked = _lock(report)
    _require_secretariat(user, "approve a partner's return")
    if locked.state != Return.State.SUBMITTED:
        raise ReturnInvalid({"state": f"Only a submitted return can be approved; this one is "
                                      f"{locked.get_state_display().lower()}."})
    round_ = locked.round
    indicators = list(round_.indicators.all())
    values = {(value.indicator_id, value.year): value.value
              for value in locked.values.filter(indicator__in=indicators, year__in=round_.years)}
    try:
        objective_services.publish_partner_values(partner=locked.partner, indicators=indicators,
                                                  years=round_.years, values=values, user=user)
        if round_.includes_flows:
            mobility_services.replace_reported_flows(partner=locked.partner, years=round_.years,
                                                     rows=_published_rows(locked), user=user, is_demo=locked.is_demo)
    except ValidationError as error:
        raise ReturnInvalid(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}) \
            from error
    locked.state = Return.State.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_version = locked.version
    locked.review_note = ""  # the history keeps it; an approved return has nothing left to fix
    locked.updated_by = _actor(user)
    locked._history_user = _actor(user)
    locked.save()
    changes.data_changed(refresh=False)  # the round's page lists it approved, even with nothing else to publish
    emails.notify(locked, emails.APPROVED)
    return _follow(report, locked)


# Rounds ---------------------------------------------------------------------------------------------------------------


def _prefill(reports: list[Return], round_: Round) -> None:
    """Give each new return the partner's approved values and reported flows for the round's years, as version 0."""
    fresh = [report for report in reports if report.version == 0 and report.state == Return.State.DRAFT]
    if fresh:
        started = set(ReturnVersion.objects.filter(report__in=fresh).values_list("report_id", flat=True))
        fresh = [report for report in fresh if report.pk not in started]
    if not fresh:
        return
    by_partner = {report.partner_id: report for report in fresh}
    years = list(round_.years)
    ReturnValue.objects.bulk_create(
        ReturnValue(report=by_partner[partner_id], indicator_id=indicator_id, year=year, value=value)
        for partner_id, indicator_id, year, value in Observation.objects.filter(
            partner__in=by_partner, breakdown="", indicator__in=round_.indicators.all(), year__in=years,
        ).order_by().values_list("partner_id", "indicator_id", "year", "value")
    )
    if round_.includes_flows:
        ReturnFlow.objects.bulk_create(
            ReturnFlow(report=by_partner[flow.reported_by_id], year=flow.year, origin_id=flow.origin_id,
                       destination_id=flow.destination_id, mode=flow.mode, level=flow.level,
                       programme=flow.programme, participants=flow.participants, female=flow.female,
                       fewer_opportunities=flow.fewer_opportunities, source=flow.source)
            for flow in MobilityFlow.objects.filter(reported_by__in=by_partner, year__in=years).order_by()
        )
    found = contents(fresh)
    ReturnVersion.objects.bulk_create(
        ReturnVersion(report=report, number=0, state=report.state, reason=PREFILLED, content=found[report.pk])
        for report in fresh
    )


@transaction.atomic
def prefill(report: Return) -> None:
    """A new draft gets the partner's last approved values and reported flows for the round's years; a return
    already started (saved, or prefilled before) is left as it is."""
    locked = _lock(report)
    _prefill([locked], locked.round)


@transaction.atomic
def open_round(*, round: Round, user: User) -> Round:
    """Open a round being prepared (or closed): every partner gets its return, prefilled."""
    _require_secretariat(user, "open a round")
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.state == Round.State.OPEN:
        raise ReturnInvalid({"state": "This round is open already."})
    if not round_.indicators.exists() and not round_.includes_flows and not round_.questions.exists():
        raise ReturnInvalid({"__all__": "The round asks for nothing: choose its indicators, ask for flows or add a "
                                        "question before opening it."})
    round_.state = Round.State.OPEN
    round_.opened_at = round_.opened_at or timezone.now()
    round_._history_user = _actor(user)
    round_.full_clean()
    round_.save()
    have = set(round_.returns.values_list("partner_id", flat=True))
    Return.objects.bulk_create(Return(round=round_, partner=partner, is_demo=round_.is_demo)
                               for partner in Partner.objects.exclude(pk__in=have))
    _prefill(list(round_.returns.all()), round_)
    changes.data_changed(refresh=False)  # the round's page, the report and the API say it is open
    round.refresh_from_db()
    return round


@transaction.atomic
def close_round(*, round: Round, user: User) -> Round:
    """Close an open round: its returns can no longer be changed or submitted; submitted ones can still be
    approved."""
    _require_secretariat(user, "close a round")
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if round_.state != Round.State.OPEN:
        raise ReturnInvalid({"state": f"Only an open round can be closed; this one is "
                                      f"{round_.get_state_display().lower()}."})
    round_.state = Round.State.CLOSED
    round_._history_user = _actor(user)
    round_.save()
    changes.data_changed(refresh=False)
    # Robust: a listener that fails (a broker away) must not turn a committed close into an error page.
    transaction.on_commit(partial(signals.round_closed.send, sender=Round, round=round_), robust=True)
    round.refresh_from_db()
    return round

