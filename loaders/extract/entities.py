"""The organizations and people a report names (rules; docs/intake.md).

An organization is a capitalised span that (a) is in the gazetteer or the graph, (b) carries
a word organizations are named with ("Police Department", "Association", "Trucking", "LLC"),
(c) is defined with an acronym, or (d) stands where only organizations stand: in a list after
"Companies include", after "sponsored by" or "teamed up with", or as the subject of "has
pledged", "became a sponsor", "hosted". A person is a name after a title ("Detective
Chavez"), after "contact", beside "said", or before ", director of ...". Names next to
*survivor* or *victim* are never drafted, and are blanked in the sentences kept as notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders import normalize
from loaders.extract import names
from loaders.extract.document import Document, Sentence
from loaders.gazetteer import Gazetteer, KindGuess, Known


@dataclass
class Evidence:
    sentence: Sentence
    why: str
    confidence: float


@dataclass
class Org:
    name: str
    key: str
    evidence: Evidence
    aliases: list[str] = field(default_factory=list)
    known: Known | None = None
    context_kind: KindGuess | None = None
    state: str | None = None
    county: str | None = None
    place_why: str = ""
    kind: KindGuess | None = None
    generic: bool = False
    #: every sentence that named it as an organization
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Person:
    name: str
    evidence: Evidence
    title: str | None = None
    role: str | None = None
    org: Org | None = None
    org_why: str = ""
    email: str | None = None
    phone: str | None = None

    @property
    def key(self) -> str:
        return normalize.normalize_name(self.name)


# ---------------------------------------------------------------------------- people

_NAME_TOKEN = r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)*"
_INITIAL = r"[A-Z]\."
_FULL_NAME = rf"{_NAME_TOKEN}(?:\s+(?:{_INITIAL}\s+)?{_NAME_TOKEN}){{1,2}}"
TITLES = ("Attorney General", "District Attorney", "Special Agent", "Executive Director",
          "Deputy Director", "Program Director", "Police Chief", "Deputy Chief",
          "Assistant Chief", "Lieutenant Governor", "Governor", "Senator", "Representative",
          "Mayor", "Commissioner", "Director", "Vice President", "President", "CEO", "Sheriff",
          "Deputy", "Sergeant", "Sgt.", "Lieutenant", "Lt.", "Captain", "Capt.", "Officer",
          "Ofc.", "Detective", "Det.", "Investigator", "Trooper", "Agent", "Corporal", "Cpl.",
          "Colonel", "Col.", "Judge", "Dr.", "Mr.", "Mrs.", "Ms.", "Professor", "Prof.",
          "Pastor", "Chairman", "Chairwoman", "Secretary")
#: titles that are also what a person does (the people sheet's `role`)
_ROLE_TITLES = {"detective", "investigator", "sheriff", "deputy", "sergeant", "lieutenant",
                "captain", "officer", "trooper", "agent", "special agent", "corporal",
                "police chief", "deputy chief", "district attorney", "attorney general",
                "commissioner", "director", "executive director"}
_TITLE_NAME = re.compile(
    r"(?<![\w'])(?P<title>" + "|".join(re.escape(t) for t in TITLES) + r")\s+"
    rf"(?P<name>{_NAME_TOKEN}(?:\s+(?:{_INITIAL}\s+)?{_NAME_TOKEN}){{0,2}})")
_CONTACT = re.compile(rf"(?i:\b(?:contact|e-?mail|call|reach out to|write to)\s+)"
                      rf"(?P<name>{_FULL_NAME})")
_SAID = re.compile(rf"(?i:\b(?:said|says|according to|explained|noted|added)\s+)"
                   rf"(?P<name>{_FULL_NAME})|(?P<name2>{_FULL_NAME})(?i:,?\s+(?:said|says|"
                   r"explained|noted|added)\b)")
_ROLE_WORDS = (r"director|president|chief|manager|coordinator|officer|founder|co-founder|"
               r"specialist|investigator|detective|sergeant|trooper|agent|sheriff|attorney|"
               r"ceo|chair|chairman|chairwoman|owner|commissioner|lieutenant|captain|deputy|"
               r"supervisor|analyst|advocate|head|lead|member")
_APPOSITION = re.compile(
    rf"(?P<name>{_FULL_NAME})(?:,\s+|\s+(?:is|was)\s+)(?:the\s+|a\s+|an\s+)?"
    rf"(?P<title>(?:[A-Za-z-]+\s+){{0,3}}?(?i:{_ROLE_WORDS}))\b(?:\s+(?:of|at|for|with)\s+"
    r"(?:the\s+)?(?P<org>[A-Z][^,.;()]*))?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")
SENSITIVE = re.compile(r"\b(survivors?|victims?)\b", re.IGNORECASE)
_SENSITIVE_NAME = re.compile(
    rf"(?i:\b(?:survivor(?:-leader)?s?|survivor leaders?|victims?)\b)[,:]?\s+(?P<name>"
    rf"{_FULL_NAME})|(?P<name2>{_FULL_NAME}),?\s+(?:is\s+|was\s+)?(?:a|an|the|one)\s+"
    r"(?:[\w-]+\s+){0,2}?(?i:survivor|victim)")
_VENUES = frozenset({"center", "centre", "hotel", "hall", "auditorium", "arena", "campus",
                     "building", "library", "resort", "inn", "suites", "convention", "museum",
                     "stadium", "church", "club", "park"})
_NOT_NAME_WORDS = names.ORG_HEADS | names.NON_ORG_TAILS | {
    "general", "office", "county", "state", "city", "training", "recruiting", "respondent",
    "specialist", "assistance", "coalition", "build", "phase", "goal", "impact", "summary"}


def sensitive_near(text: str, start: int, end: int, reach: int = 40) -> bool:
    """Is the name at ``start:end`` within a few words of *survivor* or *victim*?"""
    return bool(SENSITIVE.search(text[max(0, start - reach):end + reach]))


def _plausible_person(name: str) -> bool:
    words = [w.lower().rstrip(".") for w in name.split()]
    return bool(words) and not any(w in _NOT_NAME_WORDS or w in names.MONTHS
                                   or names.state_of(w) for w in words)


# ---------------------------------------------------------------------------- contexts

_NAME = r"[A-Z0-9][\w'&.-]*(?:\s+(?:[A-Z0-9#][\w'&.-]*|of|the|for|and|&|a|an|on))*"
#: where only an organization stands; (pattern, why, kind it suggests, confidence)
_SPONSOR = [
    (re.compile(rf"(?i:\bsponsored by)\s+(?:the\s+)?(?P<n>{_NAME})"), "sponsored by"),
    (re.compile(rf"(?i:\bsponsors?\b(?:\s+(?:is|was|were|are|include|included))?[,:]?)\s+"
                rf"(?:the\s+)?(?P<n>{_NAME})"), "named as a sponsor"),
    (re.compile(rf"(?P<n>{_NAME})\s+(?i:(?:has\s+)?(?:became|become|is|was)\s+(?:a|an|the|our)\s+"
                r"(?:[\w-]+\s+){0,3}sponsors?\b)"), "became a sponsor"),
]
_PARTNERS = re.compile(
    r"(?i:\b(?:teamed up with|partnered with|in partnership with|together with|co-?hosted by|"
    r"hosted by|organized by|organised by|presented by|in collaboration with|alongside|"
    r"joined by|representatives (?:from|of)|staff (?:from|of)|members of)\s+)(?P<list>[^.;:]+)")
_LIST = re.compile(
    r"(?i:\b(?P<noun>companies|organizations|organisations|agencies|partners|sponsors|"
    r"members|shippers|carriers|attendees|participants|stakeholders|businesses|employers|"
    r"co-?hosts|hosts|speakers|presenters)\b[^.:;]*?\b(?:include|included|includes|including|"
    r"such as|were|are|like)\b)[:\s]+(?P<list>.+)")
_SUBJECT = re.compile(  # verbs in lower case: "HELD OUT" in a banner is no verb
    rf"^(?:The\s+)?(?P<n>{_NAME})\s+(?:(?:has|have|had|also)\s+)*(?:became|become|pledged|"
    r"hosted|held|supplied|created|implemented|joined|signed|trained|adopted|agreed|committed|"
    r"donated|sponsored|partnered|received|launched|provided|distributed|expressed|teamed|"
    r"co-?hosted|organized|organised|presented|posted|added|completed|began|started|will|"
    r"plans|displayed|shared|sent|is|are)\b")
_ACRONYM_NOUN = re.compile(r"\b(?P<n>[A-Z][A-Z0-9&]{1,7})\s+(?:contacts|representatives|staff|"
                           r"officers|troopers|agents|employees|members|personnel|leadership)\b")
#: plural nouns in a sentence that say what kind the listed organizations are
_CONTEXT_KINDS = [
    (re.compile(r"(?i)\bshippers?\b"), "shipper"),
    (re.compile(r"(?i)\bsponsors?(ed|ship)?\b"), "sponsor"),
    (re.compile(r"(?i)\bcasinos\b"), "casino"),
    (re.compile(r"(?i)\btruck stops\b|\btravel (centers|plazas)\b"), "truck stop"),
    (re.compile(r"(?i)\b(carriers|trucking companies|fleets)\b"), "trucking company"),
    (re.compile(r"(?i)\bbus companies\b|\bmotorcoach\b"), "bus company"),
    (re.compile(r"(?i)\btransit agencies\b"), "transit agency"),
    (re.compile(r"(?i)\b(police departments|law enforcement agencies|sheriff'?s offices)\b"),
     "law enforcement"),
    (re.compile(r"(?i)\b(victim service providers|service providers|shelters)\b"),
     "victim services"),
    (re.compile(r"(?i)\b(nonprofits|non-profits|501 ?\(c\) ?\(3\))\b"), "nonprofit"),
    (re.compile(r"(?i)\b(schools|colleges|universities)\b"), "school"),
]


def context_kind(*texts: str) -> KindGuess | None:
    for text in texts:
        for pattern, kind in _CONTEXT_KINDS:
            m = pattern.search(text)
            if m:
                return KindGuess(kind, f"'{m[0]}' in the sentence", 0.6)
    return None


def split_list(text: str) -> list[str]:
    """The items of a written list: "A, B, C and the D, etc."."""
    text = re.sub(r"(?i)\b(?:etc|and others|and more|among others)\.?\s*$", "", text.strip())
    parts = re.split(r"\s*(?:,|;|\band the\b|\s&\s|\band\b)\s*", text)
    out = []
    for p in parts:
        p = re.sub(r"^(?:the|a|an)\s+", "", p.strip(" "))
        if p.endswith(".") and p[:-1].rsplit(" ", 1)[-1].lower() not in names.DOTTED:
            p = p[:-1]
        if p:
            out.append(p)
    return out


# ---------------------------------------------------------------------------- recognizer

class Recognizer:
    def __init__(self, doc: Document, gazetteer: Gazetteer, state: str | None):
        self.doc = doc
        self.gaz = gazetteer
        self.state = state  # the report's own state (its dateline), if it has one
        self.city: str | None = None  # and its town
        self.orgs: dict[str, Org] = {}
        self.alias_keys: dict[str, Org] = {}
        self.people: dict[str, Person] = {}
        self.person_tokens: set[str] = set()
        #: sentence index -> character ranges that hold people's names
        self.person_ranges: dict[int, list[tuple[int, int]]] = {}
        #: sentence index -> ranges of names to blank (next to survivor / victim)
        self.redact: dict[int, list[tuple[int, int]]] = {}
        self.definitions: dict[str, str] = {}  # short form -> long form

    # -- the passes
    def run(self) -> None:
        for s in self.doc.sentences:
            for long, short in names.acronym_definitions(s.text):
                self.definitions.setdefault(short, long)
        for s in self.doc.sentences:
            self.find_people(s)
        for s in self.doc.sentences:
            self.find_orgs(s)
        for s in self.doc.sentences:
            self.link_people(s)
        for org in self.orgs.values():
            self.place(org)
            org.kind = self.kind_of(org)

    # -- people
    def _person(self, s: Sentence, m: re.Match[str], group: str, why: str, conf: float,
                title: str | None = None) -> Person | None:
        name = m[group]
        start, end = m.start(group), m.end(group)
        first = name.split()[0]
        if first in TITLES or f"{first}." in TITLES:  # "Investigator Neal Lofy, co-founder"
            name = name.split(" ", 1)[1]
            start = end - len(name)
        if sensitive_near(s.text, start, end):
            self.redact.setdefault(s.index, []).append((start, end))
            return None
        if not _plausible_person(name) or self.gaz.lookup(name) or self.gaz.is_generic(name) \
                or self._redacted(s, start, end):
            return None
        before = s.text[:start].rstrip()
        if re.search(r"\b(?:of|the)$", before) or (before.endswith(("-",)) and group != "name"):
            return None  # "... Department of Public Safety": part of a longer name
        self.person_ranges.setdefault(s.index, []).append((m.start(), end))
        key = normalize.normalize_name(name)
        person = self.people.get(key)
        if person is None:
            for other in self.people.values():  # "Chavez" after "Detective Jo Chavez"
                a, b = set(key.split()), set(other.key.split())
                if a <= b or b <= a:
                    person = other
                    break
        if person is None:
            person = Person(name, Evidence(s, why, conf))
            self.people[key] = person
        elif len(name.split()) > len(person.name.split()):
            person.name = name
        if title and not person.title:
            person.title = title.rstrip(".") if title.endswith(".") and len(title) > 4 \
                else title
            if title.lower() in _ROLE_TITLES:
                person.role = title.lower()
        self.person_tokens.update(w.lower() for w in name.split())
        return person

    def find_people(self, s: Sentence) -> None:
        for m in _SENSITIVE_NAME.finditer(s.text):  # never drafted, blanked in notes
            group = "name" if m["name"] else "name2"
            self.redact.setdefault(s.index, []).append((m.start(group), m.end(group)))
        for m in _TITLE_NAME.finditer(s.text):
            if m["title"] in ("Mr.", "Mrs.", "Ms.", "Dr.") or _plausible_person(m["name"]):
                self._person(s, m, "name", f"a name after the title '{m['title']}'", 0.8,
                             None if m["title"] in ("Mr.", "Mrs.", "Ms.") else m["title"])
        for m in _CONTACT.finditer(s.text):
            p = self._person(s, m, "name", "named as the contact", 0.7)
            if p is not None:
                p.role = p.role or "contact"
                after = _EMAIL.search(s.text, m.end(), m.end() + 60)
                if after and not p.email:
                    p.email = after[0]
                phone = _PHONE.search(s.text, m.end(), m.end() + 100)
                if phone and not p.phone:
                    p.phone = phone[0]
        for m in _SAID.finditer(s.text):
            group = "name" if m["name"] else "name2"
            self._person(s, m, group, "quoted by name", 0.6)
        for m in _APPOSITION.finditer(s.text):
            if any(m.start("name") >= a and m.end("name") <= b
                   for a, b in self.person_ranges.get(s.index, [])) or \
                    m["name"].lower() in {p.key for p in self.people.values()}:
                p = self._person(s, m, "name", f"named with the title '{m['title']}'", 0.6)
                if p is not None and m["title"]:
                    extra = m["title"].strip()
                    p.title = f"{p.title}; {extra}" if p.title and extra.lower() not in \
                        p.title.lower() else p.title or extra
            elif _plausible_person(m["name"]) and not names.has_head(
                    [w.lower() for w in m["name"].split()]):
                self._person(s, m, "name", f"named with the title '{m['title']}'", 0.6,
                             m["title"].strip())

    def link_people(self, s: Sentence) -> None:
        """Each person's organization, from the words around their name."""
        for person in self.people.values():
            if person.org is not None:
                continue
            for m in re.finditer(rf"\b{re.escape(person.name)}\b", s.text):
                rest = s.text[m.end():]
                org, why = None, ""
                a = re.match(r"\s*,\s*(?:the\s+)?(?P<o>[A-Z][^,.;()\"]*)", rest)
                b = re.match(r"\s+(?:of|from|with|at)\s+(?:the\s+)?(?P<o>[A-Z][^,.;()\"]*)", rest)
                c = re.search(r"\b(?:founder|co-founder|director|president|chief|ceo|chair|"
                              r"coordinator|manager|officer|head|member)\s+(?:of|at|with)\s+"
                              r"(?:the\s+)?(?P<o>[A-Z][^,.;()\"]*)", rest[:120])
                for match, how in ((a, "named after the person's name"),
                                   (b, "named after the person's name"),
                                   (c, "the person's title names it")):
                    if match:
                        org = self.org_in(match["o"])
                        if org is not None:
                            why = how
                            if how.startswith("the person's title"):
                                role = re.search(r"\b(co-founder|founder|director|president|"
                                                 r"chief|ceo|chair|coordinator|manager|officer|"
                                                 r"head|member)\b", rest[:120])
                                if role and role[0] not in (person.title or "").lower():
                                    person.title = f"{person.title}; {role[0]}" \
                                        if person.title else role[0]
                            break
                if org is not None:
                    person.org, person.org_why = org, why
                    break
            if person.org is None:
                self.link_by_title(s, person)
            if person.org is None and person.email:
                domain = person.email.split("@")[1].split(".")[0].lower()
                for org in self.orgs.values():
                    compact = re.sub(r"[^a-z0-9]", "", org.name.lower())
                    if domain in (compact, *(a.lower() for a in org.aliases)):
                        person.org, person.org_why = org, "the email's domain is its name"

    def link_by_title(self, s: Sentence, person: Person) -> None:
        """"Idaho State Police Lt. Mark Reyes": the organization just before the title;
        "Attorney General Dana Whitfield": the one organization named for that office."""
        at = s.text.find(person.name)
        if at < 0 or person.org is not None:
            return
        title = person.title or ""
        before = s.text[:at].rstrip()
        if title and before.endswith(title.split(";")[0]):
            lead = before[:len(before) - len(title.split(";")[0])].rstrip()
            for org in self.orgs.values():
                for n in (org.name, *org.aliases):
                    if lead.endswith(n):
                        person.org, person.org_why = org, "named just before the title"
                        return
        office = title.split(";")[0].strip().lower()
        if office in ("attorney general", "district attorney", "sheriff", "police chief",
                      "chief of police"):
            word = {"police chief": "police", "chief of police": "police"}.get(office, office)
            hits = [o for o in self.orgs.values() if word in o.key or word in o.name.lower()]
            if len(hits) == 1:
                person.org = hits[0]
                person.org_why = f"the one organization named for the office of " \
                    f"{title.split(';')[0]}"

    def org_in(self, text: str) -> Org | None:
        """The organization a text begins with, if it is one the report names."""
        for sp in names.spans(text):
            if sp.start > 0:
                break
            found = self.find(sp.text)
            if found is not None:
                return found
        return None

    # -- organizations
    def find(self, text: str) -> Org | None:
        key = normalize.normalize_name(text)
        return self.orgs.get(key) or self.alias_keys.get(key)

    def _redacted(self, s: Sentence, start: int, end: int) -> bool:
        return any(start < b and end > a for a, b in self.redact.get(s.index, []))

    def _overlaps_person(self, s: Sentence, start: int, end: int) -> bool:
        return any(start < b and end > a for a, b in self.person_ranges.get(s.index, []))

    def add(self, s: Sentence, text: str, why: str, confidence: float, *,
            known: Known | None = None, kind: KindGuess | None = None) -> Org | None:
        text = text.strip(" ,;:'\"")
        if text.endswith(".") and text[:-1].rsplit(" ", 1)[-1].lower() not in names.DOTTED:
            text = text[:-1]
        text = re.sub(r"^(?:the|a|an|our|their)\s+", "", text)
        # "the Gulf States Division of Coca-Cola Bottling Co." names the company first
        m = re.match(r"^(?P<unit>.+?\b(?:Division|Branch|Chapter|Region))\s+of\s+(?:the\s+)?"
                     r"(?P<parent>.+)$", text)
        as_written = None
        if m and names.has_head([w.lower().rstrip(".") for w in m["parent"].split()]):
            as_written, text = text, f"{m['parent']} ({m['unit']})"
        if not text or names.is_place_or_time(text) or len(text) > 120:
            return None
        words = [w.lower().rstrip(".") for w in re.findall(r"[\w'&.-]+", text)]
        if len(words) == 1 and (words[0] in self.person_tokens or words[0] in
                                names.COMMON_STARTS):
            return None
        known = known or self.gaz.lookup(text)
        if known is not None:
            text = known.name
        key = normalize.normalize_name(text)
        if not key:
            return None
        org = self.orgs.get(key) or self.alias_keys.get(key)
        if org is None:
            org = Org(text, key, Evidence(s, why, confidence), known=known,
                      generic=known is None and self.gaz.is_generic(text))
            if known is not None:
                org.aliases = [a for a in known.aliases if a != text]
                for a in known.aliases:
                    self.alias_keys.setdefault(normalize.normalize_name(a), org)
            self.orgs[key] = org
        elif confidence > org.evidence.confidence and not org.generic:
            org.evidence = Evidence(s, why, confidence)
        if as_written:
            self.alias(org, as_written)
        if s not in org.sentences:
            org.sentences.append(s)
        if kind is not None and (org.context_kind is None or
                                 kind.confidence > org.context_kind.confidence):
            org.context_kind = kind
        return org

    def alias(self, org: Org, short: str) -> None:
        if short not in org.aliases and normalize.normalize_name(short) != org.key:
            org.aliases.append(short)
        self.alias_keys.setdefault(normalize.normalize_name(short), org)

    def find_orgs(self, s: Sentence) -> None:
        text = s.text
        upper = sum(c.isupper() for c in text) > 0.8 * max(1, sum(c.isalpha() for c in text))
        prev = self.doc.sentences[s.index - 1].text if s.index else ""
        for pattern, why in _SPONSOR:
            for m in pattern.finditer(text):
                name = _trim_name(m["n"])
                if len(name.split()) > 1 and name.isupper():
                    name = name.title()  # "GREEN COUNTRY FOUNDATION" on a banner line
                if name and not self._overlaps_person(s, m.start("n"), m.end("n")) and \
                        not self._redacted(s, m.start("n"), m.end("n")):
                    self.add(s, name, why, 0.7, kind=KindGuess("sponsor", why, 0.7))
        if upper:  # a line in capitals: only acronyms and known names can be told apart
            for t in names.tokens(text):
                known = self.gaz.lookup(t.text) if names.is_acronym(t.text) else None
                if known is not None:
                    self.add(s, known.name, "a known name", 0.9, known=known)
            return
        for m in _LIST.finditer(text):
            kind = context_kind(m["noun"], text, prev)
            for item in split_list(m["list"]):
                if item[:1].isupper() and len(item.split()) <= 8 and not \
                        names.is_place_or_time(item):
                    self.add(s, item, f"listed after '{m['noun']} ...'", 0.6, kind=kind)
        for m in _PARTNERS.finditer(text):
            tail = re.split(r"\s+(?:to|for|in order to|at|on)\s+(?=[a-z])", m["list"])[0]
            for item in split_list(tail):
                if item[:1].isupper() and not names.is_place_or_time(item):
                    sp = names.spans(item)
                    if sp and sp[0].text == item:
                        self.add(s, item, "named as a partner, host or attendee", 0.6)
        m = _SUBJECT.match(text)
        if m and not self._overlaps_person(s, m.start("n"), m.end("n")) and not \
                self._redacted(s, m.start("n"), m.end("n")) and not SENSITIVE.search(m["n"]):
            for name in split_list(_trim_name(m["n"])):
                if name in self.definitions and self.find(self.definitions[name]):
                    continue
                if (len(name.split()) >= 2 or names.is_acronym(name)) and not re.match(
                        r"(?i)(there|here|this|these|it|they|we|he|she)\b", name):
                    self.add(s, name, "the subject of what organizations do", 0.6,
                             kind=context_kind(text))
        for m in _ACRONYM_NOUN.finditer(text):
            if not names.is_state_code(m["n"]) and self.gaz.lookup(m["n"]) is None and \
                    m["n"] not in self.definitions:
                self.add(s, m["n"], "an acronym with staff", 0.4)
        for sp in names.spans(text):
            if self._redacted(s, sp.start, sp.end):
                continue
            if self._overlaps_person(s, sp.start, sp.end):
                cut = min(a for a, b in self.person_ranges[s.index] if sp.start < b and
                          sp.end > a)
                lead = text[sp.start:cut].rstrip()
                if cut > sp.start and lead:  # "Idaho State Police Lt. Mark Reyes"
                    sp = names.Span(lead, sp.start, sp.start + len(lead), sp.at_start)
                else:
                    continue
            if re.search(r"\bat\s+(?:the\s+)?$", text[:sp.start]) and sp.words[-1] in _VENUES:
                continue  # "at the Boise Centre": where, not who
            after = re.match(r"\s+([a-z]+)", text[sp.end:])
            if after and after[1] in names.NON_ORG_TAILS:
                # "the TAT Casino webinar": the name of a programme, which may hold an
                # organization's name but is none
                self.consider_known_parts(s, sp.text)
                continue
            self.consider_span(s, sp)
        for long, short in names.acronym_definitions(text):
            org = self.find(long)
            if org is not None:
                self.alias(org, short)

    def consider_span(self, s: Sentence, sp: names.Span) -> None:
        words = sp.words
        known = self.gaz.lookup(sp.text)
        if known is not None:
            self.add(s, sp.text, "a known name", 0.9, known=known)
            return
        site = re.fullmatch(r"(?P<chain>.+?)\s+(?:#\s?|No\.\s?|Store\s)?\d{1,6}", sp.text)
        chain = self.gaz.lookup(site["chain"]) if site else None
        if chain is not None:  # "Love's Travel Stop #245": a site of its own, of the chain
            self.add(s, sp.text, f"a numbered site of {chain.name}", 0.8,
                     kind=KindGuess(chain.kind, f"a site of {chain.name}", 0.9))
            return
        if sp.text in self.definitions:  # an acronym the report defines
            long = self.definitions[sp.text]
            if names.has_head([w.lower() for w in long.split()]) or self.gaz.lookup(long):
                org = self.add(s, long, "defined with an acronym", 0.8)
                if org is not None:
                    self.alias(org, sp.text)
            return
        if names.has_head(words) and not (len(words) == 1 and words[0] in
                                          names.ORG_HEADS - names.LEGAL):
            org = self.add(s, sp.text, f"the word '{names.head_word(words)}'", 0.8)
            if org is not None:
                return
        if names.is_acronym(sp.text):
            # an acronym the report defines for a generic agency or uses alone ("the DMV")
            if self.gaz.is_generic(sp.text) and normalize.normalize_name(sp.text) != \
                    sp.text.lower():
                self.add(s, sp.text, "an agency named by its acronym", 0.5)
            return
        self.consider_known_parts(s, sp.text)

    def consider_known_parts(self, s: Sentence, text: str) -> None:
        """The longest known name inside a span: "As TAT begins", "TAT Canada"."""
        toks = text.split()
        for size in range(len(toks) - 1, 0, -1):
            for i in range(len(toks) - size + 1):
                part = " ".join(toks[i:i + size])
                known = self.gaz.lookup(part)
                if known is not None:
                    self.add(s, part, "a known name", 0.9, known=known)
                    return

    # -- places and kinds
    def place(self, org: Org) -> None:
        if org.known is not None and org.known.state:
            org.state, org.place_why = org.known.state, "the graph's record"
            return
        words = org.name.replace(",", " ").split()
        for n in (2, 1):  # "New York ...", "Mississippi ..."
            head = " ".join(words[:n])
            rest = words[n:n + 1]
            code = names.state_of(head) if len(head) > 2 else None
            if code and not (rest and rest[0].lower() in ("county", "parish", "co.")):
                org.state, org.place_why = code, f"'{head}' in its name"
                return
        state = self.state or self.sentence_state(org.evidence.sentence)
        if not state:
            return
        if self.city and org.name.startswith(self.city + " "):
            org.state, org.place_why = state, f"named after {self.city}, where the report is"
            return
        county_level = re.search(r"(?i)\b(county|parish|district attorney|sheriff)", org.name)
        for n in (3, 2, 1):
            head = " ".join(words[:n])
            found = normalize.county(head, state) if head[:1].isupper() else None
            if found and head.lower() not in ("the", "state") and not names.has_head(
                    [w.lower() for w in words[:n]]) and (county_level or n > 1):
                org.state = state
                org.place_why = f"'{head}' is a county of {state}, where the report is"
                if county_level:
                    org.county = found[1]
                return

    def sentence_state(self, s: Sentence) -> str | None:
        return sentence_state(s.text)

    def kind_of(self, org: Org) -> KindGuess:
        if org.known is not None:
            where = "the graph" if org.known.origin == "graph" else "the gazetteer"
            return KindGuess(org.known.kind, f"{where}: {org.known.name}", 0.95)
        by_name = self.gaz.guess_kind(org.name)
        for alias in org.aliases if by_name is None else ():
            by_name = self.gaz.guess_kind(alias)
            if by_name:
                break
        if by_name is not None and (org.context_kind is None or by_name.confidence >= 0.6):
            return by_name
        if org.context_kind is not None:
            return org.context_kind
        if by_name is not None:
            return by_name
        # No rule: the kind is left empty (the workbook allows it: no kind label, no
        # sector) rather than guessed wrong; the review asks a person to pick one
        words = {w.lower().rstrip(".,") for w in org.name.split()}
        if words & names.LEGAL:
            return KindGuess("", "no rule matched: kind left empty (a company: Inc., LLC, "
                             "Co.)", UNKNOWN_KIND)
        return KindGuess("", "no rule matched: kind left empty", UNKNOWN_KIND)


#: the confidence of an organization whose kind no rule guesses: under 0.5, so that the
#: review lists it among the least certain rows
UNKNOWN_KIND = 0.4


_IN_STATE = re.compile(r"\b(?:in|across|of|throughout)\s+(?:the\s+state\s+of\s+)?"
                       r"([A-Z][A-Za-z]+(?:\s[A-Z][a-z]+)?|[A-Z]{2})\b")


def sentence_state(text: str) -> str | None:
    """The state a sentence places itself in ("in MS", "across the state of Iowa").

    >>> sentence_state("not previously implemented in MS."), sentence_state("in Jackson")
    ('MS', None)
    """
    for m in _IN_STATE.finditer(text):
        code = names.state_of(m[1])
        if code:
            return code
    m = re.match(r"^([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)'s\b", text)  # "Idaho's first build"
    if m and names.state_of(m[1]):
        return names.state_of(m[1])
    return None


def _trim_name(text: str) -> str:
    """Cut a name caught by a context pattern where its words stop being a name."""
    words = text.split()
    out: list[str] = []
    for w in words:
        if w.lower() in ("for", "to", "who", "which", "that", "as", "in", "at", "on") or (
                w[:1].islower() and w.lower() not in names.CONNECTORS):
            break
        out.append(w)
    while out and out[-1].lower() in names.CONNECTORS:
        out.pop()
    return " ".join(out).strip(" ,.;:")

