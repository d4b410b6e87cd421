"""The difference between two texts as a reader sees it: the words taken out struck through, those put in underlined.

The history of an activity or a flow (workspace.history) and of a return (reporting.services) show a long text's
change this way.
"""

import difflib

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def word_diff(old: str, new: str) -> SafeString:
    """The old text and the new as one, words taken out in <del> and words put in in <ins>; every word escaped."""
    old_words, new_words = old.split(" "), new.split(" ")
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("{}", " ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            parts.append(("<del>{}</del>", " ".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(("<ins>{}</ins>", " ".join(new_words[b1:b2])))
    return format_html_join(" ", "{}", ((format_html(template, text),) for template, text in parts))
