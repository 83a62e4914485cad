"""What text a person sends may hold: the contract's conventions, written once.

No NUL, no other control characters (line breaks and tabs only where the text is multi-line,
like notes) and no unpaired UTF-16 surrogates (which no database can store); names are
trimmed and must not be empty.
"""
from __future__ import annotations

import unicodedata

_MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return "Text may not contain unpaired UTF-16 surrogates (broken characters); send valid UTF-8."
        if char == "\x00":
            return "Text may not contain NUL characters (\\u0000); remove them and send again."
        if category == "Cc" and not (multiline and char in _MULTILINE_ALLOWED):
            allowed = " (line breaks and tabs are fine here)" if multiline else ""
            return f"Text may not contain control characters such as U+{ord(char):04X}{allowed}."
    return None


def clean_name(value: str) -> str:
    """A name trimmed of surrounding space; raises ValueError when it is empty or not storable."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    trimmed = " ".join(value.split())
    if not trimmed:
        raise ValueError("The name is empty; give one with at least one letter or digit.")
    return trimmed
