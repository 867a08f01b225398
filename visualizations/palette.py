"""One palette for every view: the colour of each sector, the shape of each kind, the style
of each relationship type, and how a relationship reads as a sentence.

Colours are Okabe & Ito's eight (Okabe, M. and Ito, K., 2008, "Color Universal Design (CUD):
how to make figures and presentations that are friendly to colorblind people",
https://jfly.uni-koeln.de/color/; recommended by Wong, B., 2011, "Points of view: Color
blindness", Nature Methods 8, 441). They stay distinguishable with protanopia, deuteranopia
and tritanopia, and no two sectors differ by hue alone: shapes carry the kind, and every
view has a legend.

Network pages, the explorer, the charts and the map all read their colours from here, so a
sector is the same colour everywhere (charts: :func:`sector_colour`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from graph import model

#: Okabe & Ito (2008)
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
             "grey": "#999999", "black": "#000000"}

#: broad sector -> colour. Vermillion is kept for the gap overlay (what is missing).
SECTOR_COLOUR = {"law enforcement": OKABE_ITO["blue"], "government": OKABE_ITO["sky"],
                 "civil society": OKABE_ITO["green"], "industry": OKABE_ITO["orange"],
                 "people": OKABE_ITO["grey"], "event": OKABE_ITO["purple"],
                 "program": OKABE_ITO["yellow"], "place": OKABE_ITO["black"],
                 # an organization whose kind the sources do not state: a white square, not
                 # a guess at its sector
                 "kind not recorded": "#FFFFFF"}
#: the sectors in legend order
SECTORS = tuple(SECTOR_COLOUR)
OVERLAY = OKABE_ITO["vermillion"]
PATH = OKABE_ITO["black"]
#: a tie that has ended (history), faint beside the live ones
ENDED = "#b0b0b0"
#: text drawn on a black node (places) must be light
LIGHT_TEXT = {"place"}

#: base label -> sector, for nodes that are not organizations
LABEL_SECTOR = {"Person": "people", "Event": "event", "Program": "program",
                "ModelComponent": "program", "State": "place", "County": "place",
                "Metric": "program"}

#: vis-network shapes whose label is drawn below the node (so a node's size is its size)
#: Organizations are squares and people dots, so the two never look alike; sites where
#: trafficking is seen (truck stops, bus terminals, casinos) have shapes of their own.
KIND_SHAPE = {"truck stop": "triangle", "bus terminal": "triangleDown", "casino": "diamond",
              "task force": "hexagon"}
LABEL_SHAPE = {"Organization": "square", "Person": "dot", "Event": "star",
               "Program": "hexagon", "ModelComponent": "hexagon", "State": "diamond",
               "County": "diamond", "Group": "dot"}
#: what each shape stands for in the legend
SHAPE_MEANING = [("square", "organization"), ("dot", "person"), ("triangle", "truck stop"),
                 ("triangleDown", "bus terminal"), ("diamond", "casino"),
                 ("hexagon", "task force"), ("star", "event"), ("hexagon", "program"),
                 ("diamond", "state or county")]

#: relationship type -> (colour, dashes, width, arrows)
EDGE_STYLE: dict[str, tuple[str, Any, float, str]] = {
    "LOCAL_CONTACT": (OKABE_ITO["blue"], False, 3, ""),
    "REFERRED": (OKABE_ITO["vermillion"], False, 2, "to"),
    "REFERRED_TO": (OKABE_ITO["vermillion"], [4, 4], 1.5, "to"),
    "INTRODUCED": (OKABE_ITO["vermillion"], [2, 4], 2, "to"),
    "REPORTED_TIP_TO": (OKABE_ITO["blue"], [2, 4], 2, "to"),
    "PARTNERS_WITH": (OKABE_ITO["green"], False, 2, ""),
    "MEMBER_OF": (OKABE_ITO["green"], False, 1, "to"),
    "SPONSORS": (OKABE_ITO["green"], [6, 3], 1.5, "to"),
    "WORKS_FOR": (OKABE_ITO["grey"], False, 1, "to"),
}
PARTICIPATION_STYLE = ("#bbbbbb", False, 1, "")
COMMITMENT_STYLE = (OKABE_ITO["yellow"], [1, 3], 2, "to")
DERIVED_STYLE = ("#dddddd", [1, 4], 1, "")
#: ties drawn with an arrow and a short label on the line: who did what to whom
DIRECTED_LABEL = {"REFERRED": "referred", "REPORTED_TIP_TO": "reported tip to",
                  "SPONSORS": "sponsors", "INTRODUCED": "introduced",
                  "REFERRED_TO": "to"}

#: relationship type -> the verb of "A <verb> B"
VERB = {
    "REFERRED": "referred", "INTRODUCED": "introduced", "LOCAL_CONTACT": "is a local contact of",
    "MEMBER_OF": "is a member of", "PARTNERS_WITH": "partners with",
    "REPORTED_TIP_TO": "reported a tip to", "WORKS_FOR": "works for", "SPONSORS": "sponsors",
    "ATTENDED": "attended", "HOSTED": "hosted", "SPONSORED": "sponsored", "SPOKE_AT": "spoke at",
    "CONSIDERING": "is considering", "PLEDGED": "pledged", "TRAINED": "trained with",
    "DISTRIBUTES": "distributes", "ADOPTED": "adopted", "LOCATED_IN": "is in",
    "PART_OF": "is part of", "HAS_METRIC": "has the measure", "FOLLOWS": "follows up",
    "REFERRED_TO": "was referred to", "REGISTERED": "registered for",
    # entity -> the follow-up it was reached in (graph/followup_log.py)
    "CONTACTED": "was contacted in",
}


def broad_sector(kind: str | None, label: str | None) -> str:
    """The sector a node is coloured by.

    An unnamed group takes the sector of the kind or sector it was recorded with.

    >>> broad_sector("truck stop", "Organization"), broad_sector(None, "Event")
    ('industry', 'event')
    >>> broad_sector(None, "Organization"), broad_sector("law enforcement", "Group")
    ('kind not recorded', 'law enforcement')
    """
    if label in ("Organization", "Group"):
        if kind in SECTOR_COLOUR:  # a group recorded by sector ("industry")
            return kind
        return model.SECTORS.get(kind or "", "kind not recorded")
    return LABEL_SECTOR.get(label or "", "people")


def sector_colour(sector: str) -> str:
    """The colour of a sector (or of a kind, folded to its sector), as every view draws it.

    >>> sector_colour("law enforcement"), sector_colour("casino")
    ('#0072B2', '#E69F00')
    """
    return SECTOR_COLOUR.get(sector) or SECTOR_COLOUR.get(
        model.SECTORS.get(sector, ""), OKABE_ITO["grey"])


def shape(kind: str | None, label: str | None) -> str:
    return KIND_SHAPE.get(kind or "") or LABEL_SHAPE.get(label or "", "dot")


def edge_style(rel_type: str) -> tuple[str, Any, float, str]:
    return EDGE_STYLE.get(rel_type) or (
        PARTICIPATION_STYLE if rel_type in model.PARTICIPATION.values() else
        COMMITMENT_STYLE if rel_type in model.COMMITMENTS.values() else DERIVED_STYLE)


def verb(rel_type: str) -> str:
    return VERB.get(rel_type, rel_type.lower().replace("_", " "))


def sentence(a: str, rel_type: str, b: str, to: str | None = None) -> str:
    """A tie as a person says it; a referral is three-sided.

    >>> sentence("Neal Lofy", "REFERRED", "Quality Carriers", "TAT")
    'Neal Lofy referred Quality Carriers to TAT'
    """
    return f"{a} {verb(rel_type)} {b}" + (f" to {to}" if to else "")


def fade(colour: str, amount: float = 0.7) -> str:
    """``colour`` mixed with white: context drawn behind what was asked for.

    >>> fade("#000000", 0.5)
    '#808080'
    """
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


_POLY = {"triangle": "8,1 15,15 1,15", "triangleDown": "1,1 15,1 8,15",
         "diamond": "8,0 16,8 8,16 0,8", "hexagon": "4,1 12,1 16,8 12,15 4,15 0,8",
         "star": "8,0 10,6 16,6 11,10 13,16 8,12 3,16 5,10 0,6 6,6"}


def swatch(shape_name: str, colour: str, *, border: str | None = None,
           dashed: bool = False) -> str:
    """A 16 px inline SVG of a legend entry: a node shape, a line or a dashed line."""
    border = border or colour
    fill = escape(colour)
    stroke = escape(border)
    if shape_name in ("line", "dashed"):
        dash = ' stroke-dasharray="4 3"' if shape_name == "dashed" or dashed else ""
        body = f'<line x1="0" y1="8" x2="16" y2="8" stroke="{fill}" stroke-width="3"{dash}/>'
    elif shape_name == "arrow":
        body = (f'<line x1="0" y1="8" x2="11" y2="8" stroke="{fill}" stroke-width="2"/>'
                f'<polygon points="10,3 16,8 10,13" fill="{fill}"/>')
    elif shape_name == "dashed-box":
        body = (f'<rect x="1" y="3" width="14" height="10" fill="#fff" stroke="{stroke}" '
                'stroke-width="2" stroke-dasharray="3 2"/>')
    elif shape_name == "ring":
        body = f'<circle cx="8" cy="8" r="6" fill="#fff" stroke="{stroke}" stroke-width="3"/>'
    elif shape_name == "dot":
        body = f'<circle cx="8" cy="8" r="7" fill="{fill}" stroke="{stroke}"/>'
    elif shape_name == "square":
        body = f'<rect x="1" y="1" width="14" height="14" fill="{fill}" stroke="{stroke}"/>'
    else:
        body = f'<polygon points="{_POLY.get(shape_name, _POLY["diamond"])}" fill="{fill}" ' \
               f'stroke="{stroke}"/>'
    return (f'<svg class="sw" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
            f'{body}</svg>')


def for_js() -> dict[str, Any]:
    """What the explorer's script needs to colour and shape nodes as the pages do."""
    return {"sectors": SECTOR_COLOUR, "kindSector": model.SECTORS, "labelSector": LABEL_SECTOR,
            "kindShape": KIND_SHAPE, "labelShape": LABEL_SHAPE, "verb": VERB,
            "overlay": OVERLAY, "baseLabels": list(model.BASE_LABELS)}
