"""Texts in two languages and citations: where in which document a fact is stated.

Re-exported by :mod:`cssp.model.plan`, whose classes carry them.
"""

from __future__ import annotations

import datetime
from typing import Final

from attrs import define, field

__all__ = ["Citation", "ReportedBy", "Text"]


@define(frozen=True)
class Text:
    """A user-facing text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``"zh"`` or ``"en"``)."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")


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


@define(frozen=True)
class ReportedBy:
    """Where cssp read a fact, when not in the document itself: a news report.

    :param name: the outlet or publisher, in Chinese (a newspaper's name in
        《》, as it is cited) and English: ``Text("《羊城晚报》", "Yangcheng Evening News")``.
    :param date: the day of the report, if known.

    >>> import datetime
    >>> r = ReportedBy(Text("《羊城晚报》", "Yangcheng Evening News"), datetime.date(2022, 6, 16))
    >>> r.text("zh"), r.text("en")
    ('据《羊城晚报》2022年6月16日报道', 'as reported by Yangcheng Evening News, 16 June 2022')
    """

    name: Text
    date: datetime.date | None = None

    def text(self, lang: str = "zh") -> str:
        """``据《羊城晚报》2022年6月16日报道``, or in English ``as reported by …, 16 June 2022``."""
        day = self.date
        if lang == "zh":
            when = f"{day.year}年{day.month}月{day.day}日" if day else ""
            return f"据{self.name.zh}{when}报道"
        name = self.name.get(lang)
        when = f", {day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""
        return f"as reported by {name}{when}"


def _note(value: object) -> Text | None:
    """A citation's note: a :class:`Text`; a plain string stands for both languages."""
    if value is None or isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(value, value) if value else None
    raise TypeError(f"a citation's note is a Text, not {type(value).__name__}")


@define(frozen=True)
class Citation:
    """Where in which document a fact is stated.

    :param document: the document's number or short title, e.g. ``国办发〔2021〕56号``.
    :param section: the section mark, e.g. ``（五）``.
    :param column: the column (专栏), e.g. ``专栏1``; empty when the fact is in the text.
    :param item: the item number within the column.
    :param note: anything else a reader needs, in Chinese and English (a plain
        string is taken for both).
    :param reported_by: the news report cssp read the fact in, when it is not
        read in the document itself.

    >>> Citation("国办发〔2021〕56号", "一、", "专栏1", 4).text("en")
    '国办发〔2021〕56号 一、 专栏1 item 4'
    """

    document: str
    section: str = ""
    column: str = ""
    item: int | None = None
    note: Text | None = field(default=None, converter=_note)
    reported_by: ReportedBy | None = None

    def text(self, lang: str = "zh") -> str:
        """Render the citation, e.g. ``国办发〔2021〕56号（五）专栏1第4项``.

        Each language is rendered whole in that language: a news report is
        ``据《羊城晚报》2022年6月16日报道`` in Chinese and ``as reported by
        Yangcheng Evening News, 16 June 2022`` in English.
        """
        if lang == "zh":
            parts = [self.document, self.section, self.column]
            item = f"第{self.item}项" if self.item is not None else ""
            out = "".join(parts) + item
        else:
            parts = [self.document, self.section, self.column]
            if self.item is not None:
                parts.append(f"item {self.item}")
            out = " ".join(p for p in parts if p)
        extra = []
        if self.reported_by is not None:
            extra.append(self.reported_by.text(lang))
        if self.note is not None:
            extra.append(self.note.get(lang))
        if not extra:
            return out
        if lang == "zh":
            return f"{out}（{'；'.join(extra)}）"
        return f"{out} ({'; '.join(extra)})"

    def __str__(self) -> str:
        return self.text("zh")
