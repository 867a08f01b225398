"""What a report says happened: events, who hosted, sponsored, spoke and attended, figures,
and outcome sentences as commitments (rules; docs/intake.md, "What is drafted").

Facts come only from running text that is not programme text (goals, missions,
instructions), never from a sentence that repeats an earlier one.
"""

from __future__ import annotations

import re

from loaders.extract import names
from loaders.extract.document import Document, Sentence
from loaders.extract.entities import Evidence, Org, Person, Recognizer, sentence_state
from loaders.extract.figures import (
    EVENT_KINDS,
    NUMBER,
    QUAL,
    Date,
    bound_cell,
    find_dates,
    number,
    qualifier,
)
from loaders.extract.groups import TOGETHER, Found, groups_in, uncounted_in
from loaders.extract.records import Commitment, Event, Facts, Group, Metric, Role, Tie
from loaders.gazetteer import Gazetteer

# ---------------------------------------------------------------------------- the reader

_DATELINE = re.compile(r"(?P<city>[A-Z][A-Za-z.' -]{1,40}?),\s*(?P<state>[A-Z]{2}\b|[A-Z][A-Za-z]+"
                       r"(?:\s[A-Z][A-Za-z]+)?)")
_CONTEXT_EVENT = re.compile(r"(?i)\b(this|the) (event|meeting|build|briefing|training|"
                            r"coalition build|cb|conference|webinar)\b")
_COMMITMENTS = [
    ("pledged", re.compile(r"(?i)\b(?:has |have |had )?(?:pledged|committed|promised|vowed|"
                           r"agreed|signed (?:on|up)) to\b")),
    ("considering", re.compile(r"(?i)\b(?:for consideration|is considering|are considering|"
                               r"expressed interest|(?:is|are) interested in|(?:is |are )?"
                               r"exploring|(?:is |are )?looking into|(?:is |are )?evaluating|"
                               r"plans? to "
                               r"(?:implement|train|adopt|use|roll out)|will (?:forward|look "
                               r"into|review|explore|consider)|see how .{0,40}incorporate)")),
    ("trained", re.compile(r"(?i)\b(?:has |have |had )?(?:implemented|trained|completed|"
                           r"rolled out|required|mandated)\b")),
    ("adopted", re.compile(r"(?i)\b(?:has |have |had )?adopted\b")),
    ("distributes", re.compile(r"(?i)\b(?:distribut(?:e|es|ed|ing)|hand(?:s|ed)? out|"
                               r"displays?|displayed|became (?:a )?points? of distribution)\b")),
]
#: a follow-up that happened: "a follow-up meeting was held in March 2023", "at the
#: three-month follow-up", "TAT held a follow-up call with ..."
_FU = r"follow[- ]?up"
_FU_WHAT = r"(?:\s+(?P<what>meeting|call|visit|session|webinar|training|survey|briefing))?"
_FOLLOWUP = re.compile(
    rf"(?i)\b(?:(?:a|the|our|its|their)\s+(?:(?P<when>\w+)[- ]month\s+)?{_FU}{_FU_WHAT}\s+"
    r"(?:was|were|had been)\s+(?:held|conducted|hosted|completed|made|done|carried out)\b|"
    rf"\b(?:at|during|in)\s+(?:the|a|our)\s+(?P<when2>\w+)[- ]month\s+{_FU}\b"
    rf"(?:\s+(?P<what2>meeting|call|visit|session))?|"
    rf"\b(?:held|hosted|conducted|made|completed)\s+(?:a|an|the|its)\s+{_FU}"
    r"\s+(?P<what3>meeting|call|visit|session|webinar|training|briefing)|"
    # the follow-up as the subject, dated, and what it found: "The six-month follow-up in
    # April 2024 found ..." (a plan says "will"; a date is checked by find_dates)
    rf"\b(?:the|a|our)\s+(?:(?P<when4>\w+)[- ]month\s+)?{_FU}"
    r"(?:\s+(?P<what4>meeting|call|visit|session|webinar|survey|briefing))?\s+(?:in|on)\s+"
    r"(?P<dated>(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4}),?\s+"
    r"(?:found|showed|revealed|reported|confirmed|indicated|saw|noted|had|included)\b)")
_MONTH_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "nine": "9", "twelve": "12"}
#: a sentence saying that those it counts took part in the event
_ATTENDED = re.compile(r"(?i)\b(?:were in attendance|in attendance|attended|attending|"
                       r"participated|took part|were present|were represented|were on hand|"
                       r"showed up|joined us|there were|attendees included|participants "
                       r"included|came from|sent (?:\w+ )?(?:officers|representatives|staff|"
                       r"delegates|employees|troopers|deputies))\b")
_PROGRAM_HEADS = (r"training|trainings|webinar|materials|toolkit|curriculum|video|program|"
                  r"programme|model|wallet cards|posters|decals|certification")
_PROGRAM = re.compile(rf"\b(?P<p>(?:(?:[A-Z][\w-]*|[A-Z]{{2,}})\s+){{1,3}}(?:{_PROGRAM_HEADS}))\b")
_PLAIN_PROGRAM = re.compile(r"\b(?P<p>training video|training curriculum|webinar|toolkit|"
                            r"wallet cards|posters|curriculum)\b", re.IGNORECASE)
_FINITE = re.compile(r"\b(has|have|had|is|are|was|were|will|plans|became|becomes|pledged|"
                     r"implemented|supplied|created|hosted|held|received|adopted|trained|"
                     r"distributed|expressed|agreed|committed|signed|joined|launched|"
                     r"provided|completed|began|started)\b")


def _kind_pattern(extra: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    out = [(re.compile(rf"(?i)\b(?:{p})\b"), k) for p, k in EVENT_KINDS]
    for short, kind in extra.items():  # "CB" defined as "Coalition Builds"
        out.insert(0, (re.compile(rf"\b{re.escape(short)}s?\b"), kind))
    return out


class FactReader:
    def __init__(self, doc: Document, rec: Recognizer, gaz: Gazetteer):
        self.doc, self.rec, self.gaz = doc, rec, gaz
        self.facts = Facts()
        extra = {}
        for short, long in rec.definitions.items():
            for p, k in EVENT_KINDS:
                if re.fullmatch(rf"(?i)(?:{p})", long):
                    extra[short] = k
        self.kinds = _kind_pattern(extra)
        self.main: Event | None = None
        self.publisher: Org | None = None
        self._mentions: dict[tuple[int, str], list[tuple[int, int, Org | Person]]] = {}
        self._patterns: tuple[tuple, tuple] | None = None
        #: sentence index -> the unnamed groups it counts
        self._groups: dict[int, list[tuple[Found, Group]]] = {}

    # -- helpers
    def factual(self) -> list[Sentence]:
        return [s for s in self.doc.sentences if not s.programme and not s.repeat]

    def kind_in(self, text: str) -> tuple[str, re.Match[str]] | None:
        best = None
        for pattern, kind in self.kinds:
            m = pattern.search(text)
            if m and (best is None or m.start() < best[1].start()):
                best = (kind, m)
        return best

    def mentions(self, s: Sentence) -> list[tuple[int, int, Org | Person]]:
        """Organizations and people named in a sentence, by position (longest name first)."""
        key = (s.index, s.text)
        if key not in self._mentions:
            exact, folded = self._names()
            found: list[tuple[int, int, Org | Person]] = []
            for pattern, table, fold in ((exact[0], exact[1], False),
                                         (folded[0], folded[1], True)):
                if pattern is None:
                    continue
                for m in pattern.finditer(s.text):
                    found.append((m.start(), m.end(), table[m[0].lower() if fold else m[0]]))
            found.sort(key=lambda f: (f[0], f[0] - f[1]))
            kept: list[tuple[int, int, Org | Person]] = []
            for f in found:
                if not any(f[0] < b and f[1] > a for a, b, _ in kept):
                    kept.append(f)
            self._mentions[key] = sorted(kept, key=lambda f: f[0])
        return self._mentions[key]

    def _names(self) -> tuple[tuple, tuple]:
        """Two patterns of every name and alias: acronyms and single words as written,
        longer names in any case. Built once: the names do not change while facts are read."""
        if self._patterns is None:
            exact: dict[str, Org | Person] = {}
            folded: dict[str, Org | Person] = {}
            entities: list[tuple[str, Org | Person]] = []
            for org in self.rec.orgs.values():
                entities += [(n, org) for n in (org.name, *org.aliases)]
                if org.generic and org.evidence.why.startswith("an agency"):
                    entities.append((org.name.split(" (")[0], org))
            for p in self.rec.people.values():
                entities += [(p.name, p)] + [(w, p) for w in p.name.split() if len(w) > 2]
            for text, who in entities:
                if names.is_acronym(text) or len(text.split()) == 1:
                    exact.setdefault(text, who)
                else:
                    folded.setdefault(text.lower(), who)

            def compile_(keys: list[str], flags: int) -> re.Pattern[str] | None:
                if not keys:
                    return None
                alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
                return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", flags)

            self._patterns = ((compile_(list(exact), 0), exact),
                              (compile_(list(folded), re.IGNORECASE), folded))
        return self._patterns

    def subject(self, s: Sentence, before: int | None = None) -> Org | Person | None:
        """Who the sentence is about: the last name before its first verb."""
        text = s.text
        lead = re.match(r"^(?:after|as|following|since|when|because|given|while)\b[^,]*,\s*",
                        text, re.IGNORECASE)
        start = lead.end() if lead else 0
        verb = _FINITE.search(text, start)
        end = min(before if before is not None else len(text), verb.start() if verb
                  else len(text))
        cands = [w for a, b, w in self.mentions(s) if a >= start and b <= end]
        if cands:
            return cands[-1]
        if re.match(r'^"?\s*(I|We|Our|My)\b', text) and s.index + 1 < len(self.doc.sentences):
            nxt = self.doc.sentences[s.index + 1]  # "..." Detective Chavez, Pittsburg PD
            if not _FINITE.search(nxt.text) and len(nxt.text) < 120:
                ms = self.mentions(nxt)
                people = [w for _, _, w in ms if isinstance(w, Person)]
                return people[0] if people else (ms[0][2] if ms else None)
        return None

    def ev(self, s: Sentence, why: str, confidence: float) -> Evidence:
        return Evidence(s, why, confidence)

    def role(self, who: Org | Person | Group | None, event: Event | None, role: str,
             s: Sentence,
             why: str, confidence: float) -> None:
        if who is None or event is None:
            return
        for r in self.facts.roles:
            if r.who is who and r.event is event:
                if r.role == role or (r.role == "hosted" and role == "co-hosted"):
                    return
                if role == "attended" and r.role in ("hosted", "co-hosted", "sponsored",
                                                     "spoke"):
                    return
        self.facts.roles.append(Role(who, event, role, self.ev(s, why, confidence)))

    # -- passes
    def run(self) -> Facts:
        self.find_publisher()
        self.find_main_event()
        for s in self.factual():
            self.body_events(s)
        if self.main is None:
            dated = [e for e in self.facts.events if e.date and len(e.date.split("/")[0]) == 10]
            if len(dated) == 1:  # a note about one training, without a dateline
                self.main = dated[0]
                self.main.main = True
                self.rec.state, self.rec.city = self.main.state, self.main.city
        for s in self.factual():
            self.followup(s)
        for s in self.factual():
            self.hosted_main(s)
            self.hosted_events(s)
        for s in self.factual():
            self.groups(s)
            self.participation(s)
            self.metrics(s)
            self.commitments(s)
            self.survivor(s)
        for s in self.doc.sentences:
            if not s.repeat:
                self.sponsors(s)
        self.title_host()
        return self.facts

    def find_publisher(self) -> None:
        counts: dict[str, int] = {}
        for s in self.doc.sentences:
            for _, _, who in self.mentions(s):
                if isinstance(who, Org):
                    counts[who.key] = counts.get(who.key, 0) + 1
        if counts:
            key = max(counts, key=lambda k: counts[k])
            if counts[key] >= 3:
                self.publisher = self.rec.orgs[key]

    def find_main_event(self) -> None:
        """The event the report is about: the place and date of its dateline."""
        head = self.doc.sentences[:15]
        place = date = None
        for i, s in enumerate(head):
            if place is None:
                for m in _DATELINE.finditer(s.text):
                    code = names.state_of(m["state"]) or names.state_of(m["state"].title())
                    city = m["city"].strip(" -")
                    if code and (len(m["state"]) > 2 or m["state"].isupper()) and \
                            not names.has_head([w.lower() for w in city.split()]) and \
                            len(city.split()) <= 4 and city.split()[0].lower() not in \
                            names.COMMON_STARTS and not find_dates(city):
                        place = (city.title() if city.isupper() else city, code, s)
                        break
            if place is not None and date is None:
                date = _dateline_date(head[max(0, i - 1):i + 3])
            if place and date:
                break
        if place is None:
            return
        kind = None
        for s in self.doc.sentences[:12]:  # the title's kind, or the first paragraph's
            found = self.kind_in(s.text)
            if found:
                kind = found[0]
                break
        kind = kind or "meeting"
        city, state, s = place
        label = "Coalition Build" if kind == "coalition build" else kind.capitalize()
        event = Event(f"{city} {label}", kind, self.ev(s, "the report's dateline", 0.9),
                      date[0].value if date else None, city, state, main=True, dateline=True)
        event.why.append(f"place from the dateline {s.text!r}")
        if date:
            event.why.append(f"date from {date[1].text!r}")
        else:
            self.facts.review.append(f"{event.name}: the report gives no date; add it")
        self.main = event
        self.facts.events.append(event)
        self.rec.state = state  # the report's state for organizations named by county
        self.rec.city = city

    def find_event(self, kind: str, city: str | None) -> Event | None:
        for e in self.facts.events:
            if e.kind == kind and city and e.city and e.city.lower() == city.lower():
                return e
        return None

    def places(self, text: str) -> list[tuple[str, str | None]]:
        """Towns after "in": "in Jackson and Tupelo", "in Menomonee Falls", "in Tulsa, OK"."""
        out = []
        for m in re.finditer(r"\bin\s+((?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})(?:\s*(?:,|and|&)"
                             r"\s*(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}))*)", text):
            parts = [p.strip() for p in re.split(r"\s*(?:,|\band\b|&)\s*", m[1])]
            state = None
            if len(parts) > 1 and names.state_of(parts[-1]):
                state = names.state_of(parts.pop())  # "in Fargo, North Dakota"
            else:
                st = re.match(r",\s*([A-Z]{2})\b", text[m.end():])
                state = names.state_of(st[1]) if st else None
            for p in parts:
                p = p.strip()
                if not p or names.is_place_or_time(p) or p.lower() in names.COMMON_STARTS \
                        or self.rec.find(p) or names.state_of(p):
                    continue
                if p.split()[0].lower() in names.MONTHS or names.has_head(
                        [w.lower() for w in p.split()]):
                    continue
                out.append((p, state))
        return out

    def body_events(self, s: Sentence) -> None:
        """Other events the report mentions with a place and a date."""
        found = self.kind_in(s.text)
        prev = self.doc.sentences[s.index - 1] if s.index else None
        why = "named with its place and date"
        if found is None and prev is not None and re.match(
                r"(?i)^(the|those|these)\s+(first|second|last|other|previous|earlier)\b", s.text):
            found = self.kind_in(prev.text)  # "... on three CBs ... The first two were ..."
            why = "its kind from the sentence before"
        if found is None:
            return
        kind, km = found
        dates = [d for d in find_dates(s.text)]
        places = self.places(s.text[km.start():] if why.startswith("named") else s.text)
        if not places:
            return
        for city, state in places:
            if self.find_event(kind, city):
                continue
            if not dates:
                continue  # "the CB in Gulfport" refers back; an undated town is not an event
            state = state or sentence_state(s.text) or (sentence_state(prev.text) if prev
                                                        else None)
            label = "Coalition Build" if kind == "coalition build" else kind.capitalize()
            e = Event(f"{city} {label}", kind, self.ev(s, why, 0.6), dates[0].value, city,
                      state)
            e.why.append(f"{why}: {s.text!r}")
            if not state:
                self.facts.review.append(f"{e.name}: the report does not say in which state "
                                         f"{city} is; add it")
            self.facts.events.append(e)
            before = s.text[max(0, km.start() - 40):km.start()]
            for _, _, who in self.mentions(Sentence(before, s.line, "", False, False)):
                if isinstance(who, Org):  # "a TAT coalition build": TAT's build
                    self.role(who, e, "hosted", s, f"'{who.aliases[0] if who.aliases else who.name}"
                              f" {km[0]}'", 0.5)

    def followup(self, s: Sentence) -> None:
        """"A follow-up meeting was held in March 2023", "at the three-month follow-up":
        a follow-up event of the report's build, dated as written (or not at all). A
        practice ("follow up done two months after the meeting") is no event."""
        main = self.main
        if main is None:
            return
        for e in self.facts.events:  # "a follow-up in Gulfport in March 2023" (body_events)
            if e.kind == "follow-up" and e is not main and e.follows is None:
                e.follows = main
        m = _FOLLOWUP.search(s.text)
        if not m or any(e.evidence.sentence is s for e in self.facts.events):
            return
        if m["dated"] and not any(d.start <= m.start("dated") < d.end
                                  for d in find_dates(s.text)):
            return  # "in 2,000 ..." is no date
        when = (m["when"] or m["when2"] or m["when4"] or "").lower()
        what = (m["what"] or m["what2"] or m["what3"] or m["what4"] or "").lower()
        months = _MONTH_WORDS.get(when, when if when.isdigit() else "")
        label = f"{months}-month follow-up" if months else "follow-up"
        name = f"{main.name} {label}" + (f" {what}" if what else "")
        if any(e.name == name for e in self.facts.events):
            return
        dates = [d for d in find_dates(s.text) if d.value != main.date]
        e = Event(name, "follow-up", self.ev(s, f"a follow-up of the report's event: "
                                                f"'{m[0].strip()}'", 0.6),
                  dates[0].value if dates else None, None, main.state, follows=main)
        e.why.append(f"from {s.text!r}")
        if not dates:
            self.facts.review.append(f"{name}: the report gives no date for it; add it (as "
                                     "precise as you know it: 2023-03, 2023)")
        self.facts.events.append(e)

    def hosted_events(self, s: Sentence) -> None:
        """"A & B hosted a 30-min TAT presentation at ...": an event of its own."""
        m = re.search(r"\b(?:co-?hosted|hosted|held|organized|organised|conducted|put on|ran)\s+"
                      r"(?:an?\s+|multiple\s+|several\s+|two\s+|three\s+|\d+\s+)?"
                      r"(?P<what>(?:[\w-]+\s+){0,5}?)(?P<kind>training sessions?|trainings?|"
                      r"presentations?|meetings?|webinars?|conferences?|workshops?|briefings?|"
                      r"summits?|events?)\b", s.text)
        if not m:
            return
        hosts = [w for a, b, w in self.mentions(s) if b <= m.start() and isinstance(w, Org)]
        if not hosts:
            return
        if self.main is not None and any(r.evidence.sentence is s and r.event is self.main
                                         for r in self.facts.roles):
            return  # hosted_main has read it as the report's own event
        found = self.kind_in(m["kind"])
        kind = found[0] if found else "meeting"
        e = next((x for x in self.facts.events if x.evidence.sentence is s), None)
        if e is None:
            what = re.sub(r"^\d+[- ]?(?:min|minute|hour|hr)s?\s+", "", m["what"].strip())
            label = f"{what} {m['kind']}".strip()
            name = f"{label[0].upper()}{label[1:]} hosted by " + \
                " and ".join(h.name for h in hosts)
            dates = find_dates(s.text)
            e = Event(name, kind, self.ev(s, "hosted by organizations the report names", 0.6),
                      dates[0].value if dates else None, None, sentence_state(s.text))
            e.why.append(f"from {s.text!r}")
            self.facts.events.append(e)
        verb = m[0].split()[0].lower()
        for h in hosts:
            self.role(h, e, "co-hosted" if verb.startswith("co") else "hosted", s,
                      f"'{verb}'", 0.7)
        self.cohosts_after(s, m.end(), e)

    def cohosts_after(self, s: Sentence, at: int, e: Event) -> None:
        """"... hosted a training in Fargo with the Cass County Sheriff's Office and ..."."""
        w = re.search(r"\b(?:with|alongside|together with)\s+(?:the\s+)?", s.text[at:])
        if not w:
            return
        start = at + w.end()
        ends = [i for i in (s.text.find(", and ", start), s.text.find(";", start)) if i >= 0]
        end = min(ends) if ends else len(s.text)  # the clause: not "..., and X provided ..."
        for a, b, who in self.mentions(s):
            if start <= a and b <= end and isinstance(who, Org):
                self.role(who, e, "co-hosted", s, "named after 'hosted ... with'", 0.5)

    def hosted_main(self, s: Sentence) -> None:
        """"A, B and the C co-hosted a coalition build on Thursday": the report's event."""
        main = self.main
        if main is None:
            return
        m = re.search(r"\b(co-?hosted|hosted|organized|organised|convened)\s+(?:a|an|the|this|"
                      r"our)\s+(?:[\w-]+\s+){0,3}?", s.text)
        if not m:
            return
        found = self.kind_in(s.text[m.end():m.end() + 40])
        back = re.match(r"(?i)(?<=\s)?(build|event|briefing|meeting|cb)\b",
                        s.text[m.end():]) and re.search(r"(?i)\b(the|this|our)\s+$",
                                                         s.text[:m.end()])
        if back:  # "co-hosted the build": the build the report is about
            found = (main.kind, re.match(r"\w+", s.text[m.end():]))
        if not found or found[0] != main.kind or (found[1].start() > 0 and not back):
            return
        other = [d for d in find_dates(s.text) if main.date and d.value != main.date]
        if other or any(c.lower() != (main.city or "").lower() for c, _ in
                        self.places(s.text[m.end():])):
            return  # another build, told with its own place or date
        for a, b, who in self.mentions(s):
            if b <= m.start() and isinstance(who, Org):
                role = "co-hosted" if m[1].lower().startswith("co") else "hosted"
                self.role(who, main, role, s, f"'{m[1]} a {found[1][0]}'", 0.7)
        self.cohosts_after(s, m.end(), main)

    def participation(self, s: Sentence) -> None:
        text = s.text
        main = self.main
        ms = self.mentions(s)
        # "X teamed up with A, B and C ... for a Coalition Build": X hosts, the others co-host
        m = re.search(r"(?i)\b(teamed up with|partnered with|joined forces with|in partnership "
                      r"with|co-?hosted with|together with)\b", text)
        if m and main is not None and (self.kind_in(text) or _CONTEXT_EVENT.search(text)):
            lead = [w for a, b, w in ms if b <= m.start() and isinstance(w, Org)]
            rest = [w for a, b, w in ms if a >= m.end() and isinstance(w, Org)]
            for w in lead[-1:]:
                self.role(w, main, "hosted", s, f"'{m[1]}' the others", 0.6)
            for w in rest:
                if w not in lead:
                    self.role(w, main, "co-hosted", s, f"named after '{m[1]}' (co-host is "
                              "the reading, not the word)", 0.5)
        m = re.search(r"(?i)\b(co-?hosted|hosted|organized|organised) by\b", text)
        if m and main is not None and _CONTEXT_EVENT.search(text[:m.start()] + " the event"):
            for a, b, w in ms:
                if a >= m.end() and isinstance(w, Org):
                    role = "co-hosted" if m[1].lower().startswith("co") else "hosted"
                    self.role(w, main, role, s, f"'{m[0]}'", 0.8)
        # "A and B have partnered on three CBs across the state of MS"
        m = re.search(r"(?i)\bpartnered on\b", text)
        if m:
            found = self.kind_in(text[m.end():])
            partners = [w for a, b, w in ms if b <= m.start() and isinstance(w, Org)]
            state = sentence_state(text[m.end():])
            if found and len(partners) >= 2:
                targets = [e for e in self.facts.events if e.kind == found[0] and
                           (state is None or e.state == state)]
                for e in targets:
                    for w in partners:
                        role = "hosted" if w is (self.publisher or partners[0]) else "co-hosted"
                        self.role(w, e, role, s, f"'partnered on {found[1][0]}' (co-host is the "
                                  "reading, not the word)", 0.5)
                for w in partners[1:]:
                    self.facts.ties.append(Tie(partners[0], "partners with", w,
                                               self.ev(s, "'partnered on'", 0.7)))
        # attendance
        m = re.search(r"(?i)\bafter attending\b", text)
        if m:
            target = None
            found = self.kind_in(text[m.end():])
            if found:
                for city, _ in self.places(text[m.end():]):
                    target = self.find_event(found[0], city) or target
            who = self.subject(s)
            self.role(who, target, "attended", s, "'after attending'", 0.8)
        m = re.search(r"(?i)\b(?:as a result of|after|since) attending (?:this|the) "
                      r"(?:event|meeting|build|briefing|training|coalition build)", text)
        if m and main is not None:
            self.role(self.subject(s, m.start()), main, "attended", s, f"'{m[0]}'", 0.8)
        m = re.search(r"(?i)\b(contacts|representatives|staff|officers|troopers|agents|"
                      r"employees|members)\s+(?:at|from|attended|were present at)\s+the\s+"
                      r"(coalition build|cb|event|meeting|briefing|training|build)\b", text)
        if m and main is not None:
            for a, b, w in ms:
                if b <= m.start() + 1 and isinstance(w, Org):
                    self.role(w, main, "attended", s, f"'{m[1]} at the {m[2]}'", 0.7)
        m = re.search(r"(?i)\b(attendees|participants|guests) (?:included|were|came from)\b",
                      text)
        if m and main is not None:
            for a, b, w in ms:
                if isinstance(w, Org) and a >= m.end():
                    self.role(w, main, "attended", s, f"'{m[0]}'", 0.7)
        m = re.search(r"(?i)\b(?:attended|took part|participated|joined us|were on hand)\b"
                      r"[^.;]*?\b(?:including|such as|among them|from)\s+", text)
        if m and main is not None:
            for a, b, w in ms:
                if isinstance(w, Org) and a >= m.end():
                    self.role(w, main, "attended", s, "named among those who attended", 0.7)
        for m in re.finditer(r"(?i)\b(?:sent|brought)\s+(?:\w+\s+)?(?:officers|troopers|"
                             r"deputies|representatives|staff|delegates|a delegation|employees)\b"
                             r"|\b(?:staff|officers|troopers|representatives|employees|members|"
                             r"leaders)\s+(?:also\s+)?attended\b", text):
            if main is None:
                break
            cut = max(text.rfind(", and ", 0, m.start()), text.rfind(";", 0, m.start()))
            for a, b, w in ms:
                if isinstance(w, Org) and cut < a and b <= m.start():
                    self.role(w, main, "attended", s, f"'{m[0]}'", 0.7)
        m = re.search(r"(?i)\b(?:were|was) (?:in attendance|present|represented)\b", text)
        if m and main is not None:
            clause_start = max(text.rfind(",", 0, m.start()), text.rfind(";", 0, m.start()))
            for a, b, w in ms:
                if isinstance(w, Org) and clause_start < a and b <= m.start():
                    self.role(w, main, "attended", s, f"'{m[0]}'", 0.7)
        m = re.search(r"(?i)\b(?:presentations? (?:by|from)|remarks (?:by|from)|keynote (?:by|"
                      r"from)|presented by|speakers? included)\s+(?:an?|the)?\s*", text)
        if m and main is not None:
            for a, b, w in ms:
                if a >= m.end() and a <= m.end() + 30:
                    self.role(w, main, "spoke", s, f"'{m[0].strip()}'", 0.6)
                    break
        if main is not None:
            self.speakers(s, ms)

    def speakers(self, s: Sentence, ms: list[tuple[int, int, Org | Person]]) -> None:
        """Who spoke: the first name of each clause that presented, spoke or led a panel."""
        text = s.text
        for v in re.finditer(r"\b(spoke|presented|addressed|briefed|gave (?:a|an|the) "
                             r"(?:[\w-]+\s+){0,2}?(?:presentation|keynote|talk|overview|briefing)"
                             r"|delivered (?:a|the) (?:[\w-]+\s+){0,2}?(?:keynote|presentation|"
                             r"talk|training)|opened the (?:meeting|event|build|briefing|session|"
                             r"program|day|conference|training)|moderated|led (?:a|the) "
                             r"(?:[\w-]+\s+){0,3}?(?:panel|session|discussion|training)|provided "
                             r"(?:a|the) (?:[\w-]+\s+){0,3}?(?:training|presentation|briefing)|"
                             r"walked (?:attendees|participants|the room|the audience|everyone) "
                             r"through)\b", text):
            who = None
            rel = re.search(r"(?:,\s*)?\bwho\s+$", text[:v.start()])
            if rel:  # "said Lt. Mark Reyes, who led the panel"
                before = [w for a, b, w in ms if b <= rel.start()]
                who = before[-1] if before else None
            else:
                cut = max(text.rfind(", and ", 0, v.start()), text.rfind(";", 0, v.start()))
                clause = [w for a, b, w in ms if a > cut and b <= v.start()]
                people = [w for w in clause if isinstance(w, Person)]
                who = people[0] if people else (clause[0] if clause else None)
            if re.search(r"(?i)\bsurvivor", text[max(0, v.start() - 60):v.start()]):
                continue  # drafted as the anonymous survivor-leader (see survivor())
            self.role(who, self.main, "spoke", s, f"'{v[0]}'", 0.7)

    def sponsors(self, s: Sentence) -> None:
        text = s.text
        if not re.search(r"(?i)\bsponsor", text):
            return
        ms = [(a, b, w) for a, b, w in self.mentions(s) if isinstance(w, Org)]
        event_wide = re.search(r"(?i)\b(this|the) (event|meeting|build|briefing|conference|"
                               r"training)\b|\bevent possible\b|\b(primary|title|presenting|"
                               r"lead|event) sponsors?|\bour sponsors?\b", text)
        named = re.search(r"(?i)\bsponsors? of (?:the\s+)?", text)
        target_named = None
        if named:
            for a, b, w in ms:
                if a == named.end():
                    target_named = w  # "a Gold-level sponsor of TAT"
        became = re.search(r"(?i)\b(?:became|become|is now|joined as) (?:a|an|our)\s+"
                           r"(?:[\w-]+\s+){0,3}sponsor", text)
        for a, b, w in ms:
            if w is self.publisher:
                continue
            if w is target_named:
                continue
            if became and a < became.start():
                target = target_named or self.publisher
                why = "'became a sponsor of' it" if target_named else "'became a sponsor' " \
                    "(whom it sponsors is not stated: drafted as the report's publisher)"
                if target is not None:
                    self.facts.ties.append(Tie(w, "sponsors", target, self.ev(
                        s, why, 0.7 if target_named else 0.4), self.main if self.main else None,
                        re.sub(r"^(became|become|is now|joined as) (an?|our)\s+", "",
                               became[0]).capitalize()))
            elif event_wide and self.main is not None and not s.programme:
                self.role(w, self.main, "sponsored", s, "named as a sponsor of the event", 0.8)
            elif re.search(r"(?i)\bsponsored by\b", text) and self.publisher is not None:
                self.facts.ties.append(Tie(w, "sponsors", self.publisher, self.ev(
                    s, "'sponsored by' work of the report's publisher, no one event named", 0.4)))

    def title_host(self) -> None:
        """"TAT COALITION BUILDS ..." in the title: the build is TAT's."""
        if self.main is None:
            return
        for s in self.doc.sentences[:5]:
            found = self.kind_in(s.text)
            if s.heading and found:
                before = s.text[:found[1].start()]
                for _, _, w in self.mentions(Sentence(before, s.line, "", False, True)):
                    if isinstance(w, Org):
                        self.role(w, self.main, "hosted", s, "named before the event kind in "
                                  "the title", 0.5)
                return

    def survivor(self, s: Sentence) -> None:
        if self.main is None or any(e is self.main for e, _ in self.facts.survivors):
            return
        if re.search(r"(?i)\b(hear(?:ing)?|heard)\s+(?:the|a|from a|from the)\s+survivor|"
                     r"\bsurvivor(?:-leader)?s?\b.{0,40}\b(spoke|speak|shared|sharing|story|"
                     r"testimony|presented|presentation|talk)", s.text):
            self.facts.survivors.append((self.main, self.ev(
                s, "a survivor spoke (drafted as the anonymous survivor-leader role)", 0.7)))

    def groups(self, s: Sentence) -> None:
        """Unnamed groups the sentence counts; those it says attended take part in the
        report's event ("Representatives from 3 local casinos were in attendance")."""
        found = groups_in(s.text, self.gaz)
        attended = _ATTENDED.search(s.text)
        together = TOGETHER.search(s.text)
        if together and self.main is not None and (
                self.kind_in(s.text) or _CONTEXT_EVENT.search(s.text)):
            # "... to bring together ... the trucking and bus industries, along with local
            # and state law enforcement, for a Coalition Build": groups without a number
            found += [f for f in uncounted_in(s.text, self.gaz)
                      if not any(f.start < g.end and f.end > g.start for g in found)]
            attended = attended or together
        if not found:
            return
        kept = []
        for f in found:
            group = Group(f.kind.kind, f.name, self.ev(
                s, f"an unnamed group: '{f.text}'; kind by '{f.kind.rule}'",
                min(0.7 if f.n else 0.6, f.kind.confidence)),
                bound_cell(f.n, f.q) if f.n else None, f.unit or None, f.level, f.kind.rule)
            kept.append((f, group))
            if attended and self.main is not None:
                self.role(group, self.main, "attended", s, f"an unnamed group, "
                          f"'{f.text}', at the event by '{attended[0]}'; kind by "
                          f"'{f.kind.rule}'" + ("" if f.n else "; the report gives no "
                                                "number"), group.evidence.confidence)
        self._groups[s.index] = kept

    def grouped(self, s: Sentence, a: int, b: int) -> bool:
        """Is the text at ``a:b`` part of a count of an unnamed group?"""
        return any(a < f.end and b > f.start for f, _ in self._groups.get(s.index, []))

    def metrics(self, s: Sentence) -> None:
        text = s.text
        main = self.main
        for m in re.finditer(QUAL + r"(?P<pct>\d{1,3}(?:\.\d+)?)\s*%\s+of\s+(?:the\s+)?"
                             r"(?P<who>respondents|attendees|participants|those surveyed|people "
                             r"surveyed|survey respondents)\b(?P<what>[^.;]*)", text):
            if main is None:
                break
            what = m["what"]
            if re.search(r"(?i)\b(completed|filled out|returned|responded|took the survey)\b",
                         what):
                name, unit = "survey response rate", f"percent of {m['who']}"
            else:
                name = self.gaz.survey_measure(what) or _short(what)
                unit = f"percent of {m['who']}"
            self.metric(main, name, m["pct"], m["q"], unit, "survey", s, m)
        first = re.search(r"(?i)\bof\s+(?:the\s+)?(?:survey\s+)?(respondents|attendees|"
                          r"participants)\b", text)
        for m in re.finditer(r"(?i)(?:,|\band|;)\s+" + QUAL + r"(?P<pct>\d{1,3}(?:\.\d+)?)\s*%\s+"
                             r"(?P<what>(?:said|agreed|reported|indicated|felt|would|were)\b[^.;]*)",
                             text):
            if main is not None and first and m.start() > first.end():
                # "91% of respondents said ..., and 97% said ...": the same respondents
                name = self.gaz.survey_measure(m["what"]) or _short(m["what"])
                self.metric(main, name, m["pct"], m["q"], f"percent of {first[1].lower()}",
                            "survey", s, m)
        m = re.search(r"(?i)\bresponse rate (?:of|was)\s+" + QUAL + r"(?P<pct>\d{1,3})\s*%", text)
        if m and main is not None:
            self.metric(main, "survey response rate", m["pct"], m["q"], "percent", "survey", s,
                        m)
        for m in re.finditer(r"(?i)" + QUAL + NUMBER + r"\s*(?P<plus>\+)?\s+(?:[a-z-]+\s+)?"
                             r"(?P<what>participants|attendees|people|individuals|guests|"
                             r"professionals|stakeholders|leaders|officers|deputies|troopers|"
                             r"investigators|delegates)\b", text):
            if re.match(r"\s*%", text[m.end("n"):]):
                continue  # "97% of participants": a share, not a head count
            if self.grouped(s, m.start("n"), m.end()):
                continue  # "12 state troopers": drafted as an unnamed group
            if main is None or not _ATTENDED.search(text) and not re.search(
                    r"(?i)\b(there were|attended|participated|in "
                                             r"attendance|gathered|joined|came|took part|"
                                             r"completed|were on hand|showed up|"
                                             r"registered|brought "
                                             r"together|at the (meeting|event|build|training|"
                                             r"briefing))\b", text):
                continue
            registered = re.search(r"(?i)\bregistered\b", text)
            self.metric(main, "registered" if registered else "participants", m["n"],
                        m["q"] or ("+" if m["plus"] else None), "people", "report", s, m)
        for m in re.finditer(r"(?i)\b(?:representatives|staff|employees|members|officers|"
                             r"leaders)\s+(?:from|of)\s+" + QUAL + NUMBER + r"\s+(?:local\s+|"
                             r"area\s+|regional\s+|different\s+|state\s+)?(?P<what>casinos|truck "
                             r"stops|trucking companies|bus companies|police departments|"
                             r"sheriff'?s offices|law enforcement agencies|transit agencies|"
                             r"agencies|organizations|companies|hotels|motels|school districts|"
                             r"carriers)\b", text):
            if main is not None and not self.grouped(s, m.start("n"), m.end()):
                # no kind rule places them ("5 organizations"): a figure, not a group
                self.metric(main, f"{m['what'].lower()} represented", m["n"], m["q"],
                            "organizations", "report", s, m)
        m = re.search(r"(?i)\b(?P<verb>received|reported|made|generated|fielded)\s+" + QUAL +
                      NUMBER + r"\s+(?:[\w-]+\s+){0,4}?(?P<what>tips|calls|reports|referrals|"
                      r"arrests|recoveries|investigations)\b", text)
        if m:
            who = self.subject(s, m.start())
            if isinstance(who, Org):
                self.metric(who, f"{m['what'].lower()} {m['verb'].lower()}", m["n"], m["q"],
                            m["what"].lower(), "report", s, m)

    def metric(self, scope: Org | Event, name: str, value: str, written_q: str | None,
               unit: str, source: str, s: Sentence, m: re.Match[str]) -> None:
        for old in self.facts.metrics:
            if old.scope is scope and old.name == name:
                return  # the report repeats its headline figure
        q = qualifier(written_q)
        self.facts.metrics.append(Metric(scope, name, number(value), unit, source,
                                         self.ev(s, f"the figure '{m[0].strip()}'",
                                                 0.8 if q is None else 0.7),
                                         m[0].strip() if q else "", q,
                                         bound_cell(value, written_q)))

    def commitments(self, s: Sentence) -> None:
        text = s.text
        for kind, pattern in _COMMITMENTS:
            m = pattern.search(text)
            if not m:
                continue
            if re.search(r"(?i)\b(not|never|no longer|yet to|has yet)\b(?:\s+\w+){0,2}\s*$",
                         text[:m.start()]):
                continue  # "not previously implemented in MS"
            who: Org | Person | Group | None = self.subject(s)
            group = None
            if who is None:
                # "Representatives from 3 local casinos ..., and they expressed interest",
                # "12 truck stops agreed to distribute ...": the group counted before the verb
                before = [g for f, g in self._groups.get(s.index, []) if f.end <= m.start()]
                who = group = before[0] if before else None
            if who is None:
                return
            program, pkind, how = self.program_in(text, m.start())
            if program is None:
                return
            count = None
            c = re.search(r"(?i)\b(?:train|trained|training|educate|reach|cover|certify)\s+"
                          r"(?:all\s+)?" + QUAL + NUMBER + r"\s+(?:of\s+(?:its|their)\s+)?"
                          r"(?:[\w-]+\s+)?(?:employees|drivers|staff|people|members|officers|"
                          r"workers|students|personnel|managers)\b", text)
            c = c or re.search(r"(?i)\bfor (?:its|their|all|the)\s+" + QUAL + NUMBER +
                               r"\s+(?:[\w-]+\s+)?(?:employees|drivers|staff|members|officers|"
                               r"workers|personnel)\b", text)
            if c:
                count = bound_cell(c["n"], c["q"])
            if group is not None:
                count = group.count  # a group's count is how many there are
            status = m[0].strip()
            if kind != "considering" and re.search(r"(?i)\bplans? to\b", text[m.end():]):
                status += "; " + re.search(r"(?i)\bplans? to [^,.;]*", text[m.end():])[0]
            self.facts.commitments.append(Commitment(
                who, program, pkind, kind, status,
                self.ev(s, f"'{m[0].strip()}' ({how})" + (f"; by the unnamed group "
                                                           f"'{group.name}'" if group else ""),
                        0.7 if how == "named" else 0.5),
                count, None if text.startswith('"') else self.main))
            return

    def program_in(self, text: str, verb_at: int) -> tuple[str | None, str, str]:
        """The training, materials or model a commitment sentence names."""
        for m in _PROGRAM.finditer(text):
            p = m["p"]
            words = p.split()
            while words and words[0].lower() in names.COMMON_STARTS:
                words = words[1:]
            if len(words) >= 2:
                return " ".join(words), _program_kind(words[-1]), "named"
        for hint in self.gaz.programs:
            if re.search(rf"\b{hint.acronym}\b", text) and any(
                    re.search(rf"(?i)\b{w}\b", text) for w in hint.words):
                return hint.name, hint.kind, f"'{hint.acronym}' and '{hint.words[0]}' in it"
        m = _PLAIN_PROGRAM.search(text)
        if m:
            return m["p"], _program_kind(m["p"].split()[-1]), "as written"
        return None, "", ""


def _dateline_date(lines: list[Sentence]) -> tuple[Date, Sentence] | None:
    """The report's own date, near its dateline: a day ("NOV.9, 2022") or a span of days
    first; else a month or a year on a short line of its own ("October 2022", "2022"),
    kept at that precision rather than placed on a day nobody stated."""
    for t in lines:
        ds = [d for d in find_dates(t.text) if d.precision == "day"]
        if ds:
            return ds[0], t
    for t in lines:
        if len(t.text) > 80:
            continue  # running text: a month in it is some other event's
        ds = find_dates(t.text)
        if ds:
            return ds[0], t
        m = re.search(r"(?<![\d/-])((?:19|20)\d{2})(?![\d/-])", t.text)
        if m and len(t.text) <= 60:
            return Date(m[1], "year", m.start(), m.end(), m[0]), t
    return None


def _program_kind(head: str) -> str:
    head = head.lower()
    if head in ("webinar",):
        return "webinar"
    if head in ("toolkit",):
        return "toolkit"
    if head in ("model",):
        return "model"
    if head in ("materials", "cards", "posters", "decals", "video"):
        return "materials"
    if head in ("program", "programme"):
        return "program"
    return "training"


def _short(clause: str) -> str:
    """A metric name from a survey statement: "said the briefing was useful" -> "briefing
    was useful"."""
    clause = re.sub(r"(?i)^\s*(said|agreed|reported|indicated|felt|stated|believed?|found|"
                    r"rated)\s+(that\s+)?(they\s+)?", "", clause.strip())
    words = clause.split()[:8]
    return " ".join(words).strip(" ,.") or "agreed"
