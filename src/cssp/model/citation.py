"""Texts in two languages and citations: where in which document a fact is stated.

Re-exported by :mod:`cssp.model.plan`, whose classes carry them.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any, Final

from attrs import define, field

from cssp.model.checks import Check, instance_of, optional, refuse, whole_number

__all__ = ["Citation", "ReportedBy", "Text", "date_text"]


@define(frozen=True)
class Text:
    """A user-facing text in Chinese and English.

    :raises InputError: when ``zh`` or ``en`` is not a str.
    """

    zh: str
    en: str

    def __attrs_post_init__(self) -> None:
        if not (type(self.zh) is str and type(self.en) is str):
            refuse(self, _TEXT_CHECKS)

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``"zh"`` or ``"en"``)."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")


_TEXT_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("zh", instance_of(str)),
    ("en", instance_of(str)),
)


_NUMERALS: Final = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN: Final = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``三`` → 3, ``二十一`` → 21 (1 to 99); ``None`` for anything else."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def _section_en(section: str) -> str:
    """``三、`` → ``chapter III``; ``（十二）`` → ``paragraph (12)``; anything else as it is."""
    if section.endswith("、") and (n := _chinese_number(section[:-1])) is not None:
        return f"chapter {_ROMAN[n]}" if n < len(_ROMAN) else f"chapter {n}"
    if section.startswith("（") and section.endswith("）"):
        n = _chinese_number(section[1:-1])
        if n is not None:
            return f"paragraph ({n})"
    return section


def _column_en(column: str) -> str:
    """``专栏3`` → ``column 3``."""
    number = column.removeprefix("专栏")
    return f"column {number}" if number != column and number.isdigit() else column


_SEE_ALSO: Final = re.compile(r"^另见专栏(\d+)(?:第(\d+)项)?$")


def _note_en(note: str) -> str:
    """A note's English: ``另见专栏4第2项`` → ``see also column 4 item 2``; others as they are."""
    match = _SEE_ALSO.match(note)
    if match is None:
        return note
    column, item = match.groups()
    return f"see also column {column}" + (f" item {item}" if item else "")


def _note(value: object) -> object:
    """A citation's note: a :class:`Text`; a Chinese string, with its English where cssp knows it.

    Anything else is left for the check to refuse.
    """
    if isinstance(value, str):
        return Text(value, _note_en(value)) if value else None
    return value


_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_text(date: datetime.date, lang: str = "zh") -> str:
    """A date as a reader writes it: ``2022年6月16日`` or ``16 June 2022``.

    >>> date_text(datetime.date(2022, 6, 16), "en")
    '16 June 2022'
    """
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


@define(frozen=True)
class ReportedBy:
    """Where cssp read a document's figures, when not in the document itself: a report of it.

    :param outlet: who reported it, in Chinese (a publication in 《》, as Chinese
        writes it) and in English, e.g. ``Text("《羊城晚报》", "Yangcheng Evening News")``.
    :param date: the day it was reported, when known.
    """

    outlet: Text
    date: datetime.date | None = None

    def text(self, lang: str = "zh") -> str:
        """The report in one language.

        ``据《羊城晚报》2022年6月16日报道``, or
        ``as reported by Yangcheng Evening News, 16 June 2022``.

        :param lang: ``"zh"`` or ``"en"``.
        """
        if lang == "zh":
            when = date_text(self.date, "zh") if self.date else ""
            return f"据{self.outlet.zh}{when}报道"
        when = f", {date_text(self.date, 'en')}" if self.date else ""
        return f"as reported by {self.outlet.en}{when}"

    @classmethod
    def parse(cls, text: str) -> ReportedBy:
        """Read the short form ``"羊城晚报, 2022-06-16"``: an outlet, then an optional ISO date.

        The outlet has one name, used in both languages; give a
        :class:`ReportedBy` with an English name where the report may be read
        in English.

        >>> ReportedBy.parse("羊城晚报, 2022-06-16").text("zh")
        '据羊城晚报2022年6月16日报道'
        """
        outlet, sep, when = text.rpartition(",")
        if sep:
            try:
                date = datetime.date.fromisoformat(when.strip())
            except ValueError:
                pass
            else:
                name = outlet.strip()
                return cls(Text(name, name), date)
        name = text.strip()
        return cls(Text(name, name))

    def __str__(self) -> str:
        """``《羊城晚报》, 2022-06-16``: the outlet's Chinese name and the ISO date."""
        return f"{self.outlet.zh}, {self.date.isoformat()}" if self.date else self.outlet.zh


@define(frozen=True)
class Citation:
    """Where in which document a fact is stated.

    :param document: the document's number or, when none is known, its title,
        e.g. ``国办发〔2021〕56号``.
    :param section: the section mark, e.g. ``（五）``.
    :param column: the column (专栏), e.g. ``专栏1``; empty when the fact is in the text.
    :param item: the item number within the column.
    :param note: anything else a reader needs, in Chinese and English: a
        :class:`Text`, or a Chinese string (``另见专栏4第2项``), whose English
        cssp writes for the marks it knows (``see also column 4 item 2``).
    :param title: the document's title in Chinese and English, when known: a
        document cited by its title (``document`` is ``title.zh``) is cited
        by its English title in English.
    :param reported_by: where cssp read the figure, when not in the document
        itself (a news report of it).
    :raises InputError: naming a field of the wrong type.
    """

    document: str
    section: str = ""
    column: str = ""
    item: int | None = None
    note: Text | None = field(default=None, converter=_note)
    title: Text | None = None
    reported_by: ReportedBy | None = None

    def __attrs_post_init__(self) -> None:
        item = self.item
        if not (
            isinstance(self.document, str)
            and isinstance(self.section, str)
            and isinstance(self.column, str)
            and (self.note is None or isinstance(self.note, Text))
            and (item is None or type(item) is int)
            and (self.title is None or isinstance(self.title, Text))
            and (self.reported_by is None or isinstance(self.reported_by, ReportedBy))
        ):
            refuse(self, _CITATION_CHECKS)

    # Citations are few, immutable and rendered for every finding: each rendering is kept.
    @functools.lru_cache(maxsize=4096)  # noqa: B019 - few, long-lived instances
    def text(self, lang: str = "zh") -> str:
        """Render the citation in one language.

        ``国办发〔2021〕56号一、专栏1第4项`` or ``国办发〔2021〕56号, chapter I, column 1,
        item 4``; a document known by its title is named 《title》 in Chinese
        and by its English title in English; the report it was read from
        follows in brackets (``（据《羊城晚报》2022年6月16日报道）``).
        """
        title = self.title
        by_title = title is not None and self.document == title.zh
        if lang == "zh":
            document = f"《{self.document}》" if by_title else self.document
            item = f"第{self.item}项" if self.item is not None else ""
            out = document + self.section + self.column + item
            note = self.note.zh if self.note else ""
            extra = [note, self.reported_by.text("zh") if self.reported_by else ""]
            joined = "；".join(e for e in extra if e)
            return f"{out}（{joined}）" if joined else out
        if lang != "en":
            raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
        if title is not None:
            document = title.en if by_title else f"{title.en} ({self.document})"
        else:
            document = self.document
        parts = [document, _section_en(self.section), _column_en(self.column)]
        if self.item is not None:
            parts.append(f"item {self.item}")
        out = ", ".join(p for p in parts if p)
        note = self.note.en if self.note else ""
        extra = [note, self.reported_by.text("en") if self.reported_by else ""]
        joined = "; ".join(e for e in extra if e)
        return f"{out} ({joined})" if joined else out

    def __str__(self) -> str:
        return self.text("zh")


_STR: Final = instance_of(str)
_CITATION_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("document", _STR),
    ("section", _STR),
    ("column", _STR),
    ("item", optional(whole_number())),
    ("note", optional(instance_of(Text))),
    ("title", optional(instance_of(Text))),
    ("reported_by", optional(instance_of(ReportedBy))),
)
