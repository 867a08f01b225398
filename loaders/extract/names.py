"""Names in a sentence: capitalised spans, acronym definitions, and the words that tell an
organization's name from a place, a title or a programme.

Rules only (docs/intake.md, "How names are found"). A span is a run of capitalised words that
may hold the small words of names ("of", "the", "for", "and", "&", "a", "on"), split where a
list goes on ("A, B and the C"), so "Alliance 4 You & Central Valley Justice Coalition" is two
names and "Department of Health and Human Services" stays one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from graph import jurisdictions
from loaders import normalize

# ---------------------------------------------------------------------------- vocabulary

#: words that make a capitalised span an organization's name
ORG_HEADS = frozenset("""
association associations department departments dept office offices police pd sheriff
sheriffs patrol agency administration commission committee council center centre centers
coalition alliance foundation institute network services partners partnership group
authority bureau board district company companies co corp corporation inc incorporated llc
ltd llp plc trucking transport transportation freight freightways carriers logistics lines
transit express bus buses coach coaches motorcoach casino casinos plaza plazas truckstop
university college school academy church ministries ministry project fund bank hospital
clinic shelter society union league enforcement troopers marshals prosecutor energy oil
petroleum pipeline industries enterprises solutions systems club chapter army guard
federation organization consortium collaborative coalitions agencies
""".split())
#: two-word heads
ORG_HEAD_PAIRS = frozenset({("task", "force"), ("travel", "center"), ("travel", "centers"),
                            ("travel", "stop"), ("travel", "stops"), ("truck", "stop"),
                            ("truck", "stops"), ("state", "police"), ("highway", "patrol"),
                            ("justice", "center")})
#: a span ending in one of these names a thing, not an organization ("Coalition Build")
NON_ORG_TAILS = frozenset("""
build builds meeting meetings conference conferences summit summits webinar webinars training
trainings month day week year model models program programs programme programmes video videos
toolkit toolkits curriculum materials report reports award awards plan plans act law bill
campaign campaigns goal goals phase session sessions briefing briefings presentation
presentations event events card cards initiative strategy strategies story recap recaps
review summary update updates newsletter highlights overview results impact outcomes agenda
""".split())
LEGAL = frozenset({"inc", "llc", "corp", "co", "ltd", "llp", "plc", "company", "corporation",
                   "incorporated"})
CONNECTORS = frozenset({"of", "the", "for", "and", "&", "a", "an", "on", "de", "du", "des",
                        "del", "la", "le", "los", "las", "von", "van", "der", "y"})
#: a capitalised first word that is only capitalised because it starts the sentence
COMMON_STARTS = frozenset("""
the a an as at in on for after before when while since during with without through thanks
thank here there this these those our their his her its we they he she it additionally also
finally however ultimately representatives companies members many some all each every both
several multiple most given linking centralizing please recognizing working based because by
from of to and or but if so then now today yesterday recently last next first second third
one two three four five six seven eight nine ten over more nearly about approximately around
""".split())
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
               "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday"})
PLACES = frozenset({"united states", "america", "north america", "canada", "mexico", "usa",
                    "us", "u s", "the united states"})
#: abbreviations whose period belongs to the word
DOTTED = frozenset({"co", "corp", "inc", "ltd", "llc", "bros", "dept", "assn", "st", "jr",
                     "sr", "dr", "mr", "mrs", "ms", "sgt", "lt", "capt", "det", "ofc", "cpl",
                     "col", "gov", "sen", "rep", "prof", "rev", "nov", "oct", "sept", "sep",
                     "aug", "jul", "jun", "apr", "mar", "feb", "jan", "dec", "u.s"})

_TOKEN = re.compile(r"#\d+|[A-Za-z0-9]+(?:[-'.][A-Za-z0-9]+)*|&|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def lower(self) -> str:
        return self.text.lower().rstrip(".")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int
    at_start: bool  # begins the sentence

    @property
    def words(self) -> list[str]:
        return [w.lower().rstrip(".") for w in re.findall(r"[A-Za-z0-9][\w'.&-]*|&",
                                                           self.text)]


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        t = Token(m[0], m.start(), m.end())
        if t.text == "." and out and out[-1].end == t.start and (
                out[-1].text.lower() in DOTTED or re.fullmatch(r"[A-Z]", out[-1].text)):
            prev = out.pop()  # "Co." and "J." keep their period
            t = Token(prev.text + ".", prev.start, t.end)
        out.append(t)
    return out


def is_acronym(word: str) -> bool:
    """``TAT``, ``N2GIVES``, ``FMCSA``: two or more capitals, no lower case."""
    w = word.rstrip(".")
    return len(w) >= 2 and w[0].isalpha() and w.upper() == w and sum(c.isalpha() for c in w) >= 2


def is_state_code(word: str) -> bool:
    return len(word) == 2 and word.isupper() and normalize.state_code(word) is not None


def state_of(text: str) -> str | None:
    """The state a word or two name as written: its name, its code in capitals, or an AP
    abbreviation with its period. Never a close guess: "Kim" is not Guam.

    >>> [state_of(t) for t in ("Mississippi", "MS", "Calif.", "North Dakota", "Kim", "ms")]
    ['MS', 'MS', 'CA', 'ND', None, None]
    >>> [state_of(t) for t in ("Jordan", "Alberta")]
    [None, 'CA-AB']
    """
    text = text.strip()
    code = normalize.state_code(text) if text else None
    # States and provinces only: a country's name is too often a person's ("Jordan Blake")
    if code is None or jurisdictions.jurisdiction(code).kind == "country":
        return None
    folded = re.sub(r"[^a-z]", "", text.lower())
    if folded == re.sub(r"[^a-z]", "", normalize.state_name(code).lower()):
        return code
    if len(folded) == 2 and text.isupper():
        return code
    if text.endswith(".") and len(folded) > 2:  # "Miss.", "Calif."
        return code
    return None


def _cap(t: Token) -> bool:
    return t.cap or t.text.startswith("#") or (t.text[:1].isdigit() and len(t.text) <= 4)


def spans(text: str) -> list[Span]:
    """Runs of capitalised words, split into the names a list holds.

    >>> [s.text for s in spans("TAT teamed up with the San Joaquin District Attorney's "
    ...   "Office, the California Trucking Association and the San Joaquin Family Justice "
    ...   "Center.")]
    ['TAT', "San Joaquin District Attorney's Office", 'California Trucking Association', \
'San Joaquin Family Justice Center']
    >>> [s.text for s in spans("Alliance 4 You & Central Valley Justice Coalition hosted")]
    ['Alliance 4 You', 'Central Valley Justice Coalition']
    >>> [s.text for s in spans("the Department of Health and Human Services said")]
    ['Department of Health and Human Services']
    """
    toks = tokens(text)
    out: list[Span] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.cap or (t.text[:1].isdigit()):
            i += 1
            continue
        j, last = i, i
        while j + 1 < len(toks):
            nxt = toks[j + 1]
            if nxt.lower in MONTHS or nxt.lower in WEEKDAYS:
                break  # "... Association on October 12": a date ends the name
            if nxt.lower in CONNECTORS and j + 2 < len(toks) and (
                    toks[j + 2].lower in MONTHS or toks[j + 2].lower in WEEKDAYS):
                break
            if nxt.cap or (_cap(nxt) and j + 2 < len(toks) and toks[j + 2].cap):
                j += 1
                last = j
            elif nxt.lower == "for" and not has_head(_words(toks[i:j + 1])):
                break  # "EHS Specialist for the ...": "for" joins names only after a head
            elif nxt.lower in CONNECTORS and nxt.text != "&" and any(
                    toks[k].cap for k in range(j + 2, min(j + 4, len(toks)))
                    if all(toks[m].lower in CONNECTORS for m in range(j + 2, k))):
                j += 1
            elif nxt.text == "&" and j + 2 < len(toks) and toks[j + 2].cap:
                j += 1
            else:
                break
        if last + 1 < len(toks) and re.fullmatch(r"#?\d{1,6}", toks[last + 1].text) and \
                has_head(_words(toks[i:last + 1])):
            last += 1  # "Pilot Travel Center 123", "Love's Travel Stop #245": one site
        group = toks[i:last + 1]
        out.extend(_split_list(text, group, at_start=i == 0 or all(
            not x.text[:1].isalnum() for x in toks[:i])))
        i = last + 1
    return out


def _split_list(text: str, group: list[Token], *, at_start: bool) -> list[Span]:
    """Split one run at "and the" / "& the" and at "and"/"&" between two whole names."""
    pieces: list[list[Token]] = [[]]
    for k, t in enumerate(group):
        if t.lower in ("and", "&") and pieces[-1]:
            rest = group[k + 1:]
            left = pieces[-1]
            if rest and (rest[0].lower == "the" or _splits(left, rest)):
                pieces.append([])
                continue
        pieces[-1].append(t)
    out = []
    for n, p in enumerate(pieces):
        while p and p[0].lower in CONNECTORS - {"the"} | {"and", "&"}:
            p = p[1:]
        while p and (p[-1].lower in CONNECTORS or p[-1].text == "&"):
            p = p[:-1]
        start_here = at_start and n == 0
        if p and p[0].lower == "the" and (start_here or len(p) > 1 and not p[0].cap):
            p = p[1:]  # "The Biloxi Police Department has ...": the article, not the name
        if p and start_here and p[0].lower in COMMON_STARTS and len(p) > 1:
            p = p[1:]
            while p and p[0].lower in CONNECTORS:
                p = p[1:]
        if p:
            out.append(Span(text[p[0].start:p[-1].end], p[0].start, p[-1].end,
                            start_here and p is pieces[0]))
    return out


def _words(ts: list[Token]) -> list[str]:
    return [t.lower for t in ts]


def _splits(left: list[Token], right: list[Token]) -> bool:
    """Does "and" between these two runs separate two names?"""
    r = _words(right)
    if r and r[0] in ORG_HEADS:  # "... Licensing and Department of Motor Vehicles"
        return True
    lw = _words(left)
    if "of" in lw and len(r) <= 3 and not (len(right) == 1 and is_acronym(right[0].text)):
        return False  # "Department of Health and Human Services"

    def whole(ts: list[Token], ws: list[str]) -> bool:
        return has_head(ws) or (len(ts) == 1 and is_acronym(ts[0].text))

    return whole(left, lw) and whole(right, r)


def has_head(words: list[str]) -> bool:
    if not words or words[-1] in NON_ORG_TAILS:
        return False
    if any(w in ORG_HEADS or w.removesuffix("'s") in ORG_HEADS for w in words):
        return True
    return any((a, b) in ORG_HEAD_PAIRS for a, b in pairwise(words))


def head_word(words: list[str]) -> str | None:
    for a, b in pairwise(words):
        if (a, b) in ORG_HEAD_PAIRS:
            return f"{a} {b}"
    # the last one reads best in a review: "San Joaquin District Attorney's Office": office
    return next((w for w in reversed(words) if w in ORG_HEADS or w.removesuffix("'s") in
                 ORG_HEADS), None)


def is_place_or_time(text: str) -> bool:
    low = text.lower().rstrip(".")
    words = low.split()
    return (low in PLACES or state_of(text) is not None and len(words) <= 3
            or (words and words[0] in MONTHS and all(w[:1].isdigit() or w in MONTHS
                                                     for w in words[1:]))
            or low in WEEKDAYS)


# ---------------------------------------------------------------------------- acronyms

def _long_form_start(short: str, long: str) -> int | None:
    """Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions
    in biomedical text": where in ``long`` the definition of ``short`` begins, or None."""
    s, l_ = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l_ >= 0 and (long[l_].lower() != c or
                           (s == 0 and l_ > 0 and long[l_ - 1].isalnum())):
            l_ -= 1
        if l_ < 0:
            return None
        l_ -= 1
        s -= 1
    return long.rfind(" ", 0, l_ + 1) + 1


_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z0-9&.\- ]{0,14}?)\s*\)")


def acronym_definitions(text: str) -> list[tuple[str, str]]:
    """``(long form, short form)`` pairs defined in a sentence.

    >>> acronym_definitions("TAT and the Mississippi Trucking Association (MTA) have partnered")
    [('Mississippi Trucking Association', 'MTA')]
    >>> acronym_definitions("the Iowa Motor Vehicle Enforcement (Iowa MVE) agency")
    [('Iowa Motor Vehicle Enforcement', 'Iowa MVE')]
    >>> acronym_definitions("TAT's Coalition Builds (CB) do just that")
    [('Coalition Builds', 'CB')]
    """
    out = []
    for m in _DEFINITION.finditer(text):
        short = m[1].strip()
        if not any(c.isupper() for c in short[1:] + short[:1]) or len(short.split()) > 2 \
                or is_state_code(short) or short.isdigit():
            continue
        before = text[:m.start()].rstrip()
        words = before.split()
        n = min(len(short.replace(" ", "")) + 5, 2 * len(short.replace(" ", "")))
        candidate = " ".join(words[-n:])
        start = _long_form_start(short, candidate)
        if start is None:
            continue
        long = candidate[start:].strip(" ,;:")
        long = re.sub(r"^(?:the|a|an)\s+", "", long, flags=re.IGNORECASE)
        long = re.sub(r"^[A-Za-z]+'s\s+", "", long)  # "TAT's Coalition Builds"
        if long and long.split()[0][:1].isupper() and len(long.split()) >= \
                max(1, len(short.replace(" ", "")) // 3):
            out.append((long, short))
    return out
