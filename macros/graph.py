"""Static SVG drawings of how entries connect: a concept's neighbourhood and the synthesis pathways.

Pure Python, no MkDocs and no JavaScript: the drawings are generated at build time as inline
SVG, every box a link (``<a href>``) to a page, with a ``<title>`` and ``<desc>`` for screen
readers. Colours come from CSS classes (``glossary.css``) that use the theme's variables, with
``currentColor`` defaults, so the drawings are readable in the light and dark palettes alike.

Every piece of entry text is XML-escaped here; the caller passes plain text and final URLs.
The output has no blank lines and no indentation, so Python-Markdown passes it through as a
raw HTML block untouched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape as _xml_escape

__all__ = ["Node", "components", "layers", "pathway_map", "relationship_map", "text_width", "wrap_label"]

FONT_SIZE = 13          # px (SVG user units) of the labels
LINE_HEIGHT = 16        # px between label lines
PAD_X, PAD_Y = 10, 7    # padding inside a box
BOX_WIDTH = 196         # every box has the same width; labels wrap inside it
MAX_LINES = 3           # longer labels end in an ellipsis (the full name stays in the link's label)
COLUMN_GAP = 72         # room for the connecting curves between columns
ROW_GAP = 8             # between boxes of one column
LAYER_GAP = 40          # between the steps of a pathway (room for the arrow)
MARGIN = 8
HEADING_HEIGHT = 26     # the column headings of the concept map

# Approximate advance widths (in em) of a sans-serif system font, to wrap labels without a browser.
_NARROW = set("fijlrtI.,:;'!|()[] ")
_WIDE = set("mwMW")
_EM_NARROW, _EM_WIDE, _EM_UPPER, _EM_DIGIT, _EM_LOWER, _EM_OTHER = 0.32, 0.86, 0.68, 0.57, 0.55, 0.62
_SAFETY = 1.08          # system fonts differ; err on the wide side so text never overflows its box


@dataclass(frozen=True)
class Node:
    """One box of a drawing.

    ``label`` is the visible name, ``href`` the final (relative) URL, ``description`` a tooltip
    (for instance the entry's summary as plain text) and ``relation`` the words a screen reader
    hears after the name (``"related entry"``).
    """

    key: str
    label: str
    href: str
    description: str = ""
    relation: str = ""


def _xml(text: str) -> str:
    """Text made safe for an XML text node or a double-quoted attribute."""
    return _xml_escape(text, {'"': "&quot;"})


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """An estimate, in px, of how wide ``text`` is drawn in a sans-serif font of ``font_size``."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += _EM_NARROW
        elif char in _WIDE:
            em += _EM_WIDE
        elif char.isascii() and char.isupper():
            em += _EM_UPPER
        elif char.isdigit():
            em += _EM_DIGIT
        elif char.isascii() and char.isalpha():
            em += _EM_LOWER
        else:
            em += _EM_OTHER
    return em * font_size * _SAFETY


def _tokens(text: str) -> list[str]:
    """Words, each keeping a trailing hyphen, slash or dash (a label may break after them)."""
    out: list[str] = []
    for word in text.split():
        piece = ""
        for char in word:
            piece += char
            if char in "-/–—" and len(piece) > 1:
                out.append(piece)
                piece = ""
        if piece:
            out.append(piece)
        out[-1] += " "
    if out:
        out[-1] = out[-1].rstrip()
    return out


def wrap_label(text: str, width: float = BOX_WIDTH - 2 * PAD_X, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` broken into lines no wider than ``width`` px (at spaces, or after hyphens).

    At most ``max_lines`` lines; a longer label ends in an ellipsis. A single word wider than a
    line is cut into pieces rather than drawn over the box's edge.
    """
    return list(_wrap(text, width, max_lines))


@lru_cache(maxsize=4096)
def _wrap(text: str, width: float, max_lines: int) -> tuple[str, ...]:
    """:func:`wrap_label`, remembered: the same names appear on many maps of one build."""
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        if text_width((current + token).rstrip()) <= width:
            current += token
            continue
        if current:
            lines.append(current.rstrip())
        current = ""
        while text_width(token.rstrip()) > width:  # a word too long for any line: cut it
            cut = len(token)
            while cut > 1 and text_width(token[:cut] + "-") > width:
                cut -= 1
            lines.append(token[:cut] + "-")
            token = token[cut:]
        current = token
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last.rstrip(" -") + "…"]
    return tuple(lines) or ("",)


def _box_height(lines: Sequence[str]) -> int:
    return 2 * PAD_Y + LINE_HEIGHT * len(lines)


def _spans(label: str, lines: Sequence[str]) -> list[str]:
    """The separators to write after each of ``lines``: a space where the line ended at a space of ``label``.

    The space goes between the ``<tspan>`` elements, as a text node of ``<text>``: the text a browser or
    an accessibility checker reads from the drawing then has the same words as the label ("Neurochemical
    rebalancing", not "Neurochemicalrebalancing"), so the link's visible text is in its accessible name.
    """
    out, at = [], 0
    for index, line in enumerate(lines):
        found = label.find(line, at)
        at = found + len(line) if found >= 0 else at
        gap = found >= 0 and at < len(label) and label[at] == " " and index < len(lines) - 1
        out.append(" " if gap else "")
    return out


def _box(node: Node, x: float, y: float, lines: Sequence[str], kind: str, *, current: bool = False,
         width: float = BOX_WIDTH) -> str:
    """One linked box: a rectangle and its centred label, named for screen readers."""
    height = _box_height(lines)
    name = f"{node.label} ({node.relation})" if node.relation else node.label
    attrs = ' aria-current="page"' if current else ""
    # Only the entry's own box is styled apart (the stylesheet styles every box as `.glossary-map a`); the
    # other boxes need no class of their own (page weight).
    kind_class = f' class="glossary-map__node glossary-map__node--{kind}"' if current else ""
    out = [f'<a href="{_xml(node.href)}"{kind_class} aria-label="{_xml(name)}"{attrs}>']
    if node.description:
        out.append(f"<title>{_xml(node.description)}</title>")
    out.append(f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height}" rx="6" '
               'fill="none" stroke="currentColor"/>')
    centre = x + width / 2
    first = y + PAD_Y + LINE_HEIGHT / 2 + FONT_SIZE * 0.35
    if len(lines) == 1:  # one line needs no <tspan> (page weight)
        out.append(f'<text x="{centre:g}" y="{first:g}">{_xml(lines[0])}</text>')
    else:
        spans = "".join(f'<tspan x="{centre:g}" y="{first + i * LINE_HEIGHT:g}">{_xml(line)}</tspan>{gap}'
                        for i, (line, gap) in enumerate(zip(lines, _spans(node.label, lines), strict=True)))
        out.append(f"<text>{spans}</text>")  # centred, in currentColor: the <svg> element says so once
    out.append("</a>")
    return "".join(out)


def _svg(width: float, height: float, prefix: str, title: str, desc: str, body: Iterable[str],
         modifier: str) -> str:
    """The ``<svg>`` element around a drawing; a group named by its title and described by its desc.

    ``role="group"`` rather than ``img``: an image would hide the links inside it from assistive
    technology.
    """
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="glossary-map glossary-map--{modifier}" '
            f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
            f'font-size="{FONT_SIZE}" text-anchor="middle" fill="currentColor" role="group" '
            f'aria-labelledby="{prefix}-title" '
            f'aria-describedby="{prefix}-desc">')
    return "\n".join([head, f'<title id="{prefix}-title">{_xml(title)}</title>',
                      f'<desc id="{prefix}-desc">{_xml(desc)}</desc>', *body, "</svg>"])


#: The group of connecting lines: decoration (the description says what they show), drawn in currentColor.
_EDGES = '<g class="glossary-map__edges" fill="none" stroke="currentColor" aria-hidden="true">'


#: The concept map is drawn top to bottom, two boxes a row, narrow enough for a phone at full size:
#: 344 px wide, so its 13 px labels stay at 12 px or more on a screen 328 px wide (a 360 px phone).
MAP_BOX_WIDTH = 158
MAP_COLUMN_GAP = 12    # between the two boxes of a row: the connecting line runs down the middle
MAP_WIDTH = 2 * MARGIN + 2 * MAP_BOX_WIDTH + MAP_COLUMN_GAP
MAP_GROUP_GAP = 26     # between a group of boxes and the entry's own box


def _grid(nodes: Sequence[Node], wrapped: Mapping[int, Sequence[str]], top: float
          ) -> tuple[list[tuple[Node, float, float, Sequence[str]]], list[float], float]:
    """Place ``nodes`` two a row from ``top``: ``(node, x, y, lines)`` each, the middle of each row, the bottom."""
    placed: list[tuple[Node, float, float, Sequence[str]]] = []
    middles: list[float] = []
    y = top
    for start in range(0, len(nodes), 2):
        row = nodes[start:start + 2]
        tallest = max(_box_height(wrapped[id(n)]) for n in row)
        for column, node in enumerate(row):
            lines = wrapped[id(node)]
            if len(nodes) == 1:
                x = (MAP_WIDTH - MAP_BOX_WIDTH) / 2
            else:
                x = MARGIN + column * (MAP_BOX_WIDTH + MAP_COLUMN_GAP)
            placed.append((node, x, y + (tallest - _box_height(lines)) / 2, lines))
        middles.append(y + tallest / 2)
        y += tallest + ROW_GAP
    return placed, middles, y - ROW_GAP


def relationship_map(centre: Node, related: Sequence[Node], mentioned_by: Sequence[Node], prefix: str) -> str:
    """The neighbourhood of one entry: entries that mention it (above), the entry, its related entries (below).

    Drawn top to bottom, so the same drawing fits a phone and a desktop: each group two boxes a row,
    joined to the entry's box by a line down the middle with a short branch to each box.
    ``mentioned_by`` should hold only the entries not already in ``related``. Returns ``""`` when the
    entry has no neighbours. ``prefix`` makes the element ids unique in the page.
    """
    if not related and not mentioned_by:
        return ""
    inner = MAP_WIDTH - 2 * MARGIN
    wrapped = {id(n): wrap_label(n.label, MAP_BOX_WIDTH - 2 * PAD_X) for n in [*related, *mentioned_by]}
    centre_lines = wrap_label(centre.label, inner - 2 * PAD_X)
    middle = MAP_WIDTH / 2
    headings: list[str] = []
    edges: list[str] = []
    boxes: list[str] = []

    def heading(text: str, top: float) -> None:
        headings.append(f'<text class="glossary-map__heading" x="{MARGIN}" y="{top + 14:g}" text-anchor="start" '
                        f'aria-hidden="true">{_xml(text)}</text>')

    def branches(placed: list[tuple[Node, float, float, Sequence[str]]], kind: str, *, single: bool) -> None:
        for node, x, y, lines in placed:
            boxes.append(_box(node, x, y, lines, kind, width=MAP_BOX_WIDTH))
            if not single:  # a branch from the inner edge of the box to the line down the middle
                mid = y + _box_height(lines) / 2
                edge = x + MAP_BOX_WIDTH if x < middle else x
                edges.append(f"M{edge:g} {mid:g}H{middle:g}")

    y: float = MARGIN
    if mentioned_by:
        heading("Mentioned by", y)
        placed, middles, bottom = _grid(mentioned_by, wrapped, y + HEADING_HEIGHT)
        branches(placed, "mentions", single=len(mentioned_by) == 1)
        start = bottom if len(mentioned_by) == 1 else middles[0]
        y = bottom + MAP_GROUP_GAP
        edges.append(f"M{middle:g} {start:g}V{y:g}")
    centre_top = y
    boxes.insert(0, _box(centre, MARGIN, centre_top, centre_lines, "current", current=True, width=inner))
    y = centre_top + _box_height(centre_lines)
    if related:
        top = y + MAP_GROUP_GAP
        heading("Related", top)
        placed, middles, bottom = _grid(related, wrapped, top + HEADING_HEIGHT)
        branches(placed, "related", single=len(related) == 1)
        end = top + HEADING_HEIGHT if len(related) == 1 else middles[-1]
        edges.append(f"M{middle:g} {y:g}V{end:g}")
        y = bottom
    height = y + MARGIN

    title = f"Concept map of {centre.label}"
    # Boxes in reading order: the entries that mention it, the entry itself, its related entries.
    current, others = boxes[0], boxes[1:]
    split = len(mentioned_by)
    ordered = [*others[:split], current, *others[split:]]
    # The lines are one path (page weight): a branch per box and the line down the middle of each group.
    lines_path = f'<path class="glossary-map__edge" d="{"".join(edges)}"/>'
    body = [*headings, _EDGES, lines_path, "</g>", *ordered]
    return _svg(MAP_WIDTH, height, prefix, title, _map_description(centre, related, mentioned_by), body, "concept")


def _map_description(centre: Node, related: Sequence[Node], mentioned_by: Sequence[Node]) -> str:
    """The concept map in words, for screen readers: it counts the boxes; their names are each box's own
    link text (not repeated: page weight)."""
    parts = []
    if mentioned_by:
        parts.append(f"{len(mentioned_by)} {'entry mentions' if len(mentioned_by) == 1 else 'entries mention'} "
                     f"{centre.label} (above).")
    if related:
        parts.append(f"{centre.label} is related to {len(related)} "
                     f"{'entry' if len(related) == 1 else 'entries'} (below).")
    parts.append("Each box links to its entry.")
    return " ".join(parts)


# -- pathways ---------------------------------------------------------------------------------

def components(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The connected parts of a directed graph (ignoring direction), each sorted; isolated keys left out."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            neighbours[source].add(target)
            neighbours[target].add(source)
    seen: set[str] = set()
    out: list[list[str]] = []
    for start in sorted(neighbours):
        if start in seen:
            continue
        part, stack = [], [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            part.append(node)
            for other in neighbours[node] - seen:
                seen.add(other)
                stack.append(other)
        out.append(sorted(part))
    return out


def layers(nodes: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Nodes of an acyclic graph in steps: each node one step below its furthest precursor.

    Within a step, nodes keep the order of ``nodes``. Raises ``ValueError`` on a cycle
    (the registry's check rejects those before anything is drawn).
    """
    members = set(nodes)
    parents: dict[str, list[str]] = defaultdict(list)
    for source in nodes:
        for target in edges.get(source, ()):
            if target in members:
                parents[target].append(source)
    depth: dict[str, int] = {}

    def level(node: str, trail: frozenset[str]) -> int:
        if node in trail:
            raise ValueError(f"cycle through '{node}'")
        if node not in depth:
            depth[node] = max((level(p, trail | {node}) + 1 for p in parents[node]), default=0)
        return depth[node]

    for node in nodes:
        level(node, frozenset())
    steps: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in nodes:
        steps[depth[node]].append(node)
    return steps


def pathway_map(nodes: Mapping[str, Node], edges: Mapping[str, Sequence[str]], prefix: str,
                title: str) -> str:
    """One synthesis pathway drawn top to bottom: each step a linked box, an arrow to each product.

    ``nodes`` holds the boxes of one connected pathway, ``edges`` maps a slug to the slugs it
    is made into.
    """
    order = sorted(nodes, key=lambda k: nodes[k].label.casefold())
    steps = layers(order, edges)
    wrapped = {k: wrap_label(nodes[k].label) for k in nodes}
    widest = max(len(step) for step in steps)
    width = 2 * MARGIN + widest * BOX_WIDTH + (widest - 1) * COLUMN_GAP / 2
    place: dict[str, tuple[float, float, float]] = {}  # x, top, bottom
    y: float = MARGIN
    for step in steps:
        row = len(step) * BOX_WIDTH + (len(step) - 1) * COLUMN_GAP / 2
        x = (width - row) / 2
        tallest = max(_box_height(wrapped[k]) for k in step)
        for key in step:
            h = _box_height(wrapped[key])
            top = y + (tallest - h) / 2
            place[key] = (x, top, top + h)
            x += BOX_WIDTH + COLUMN_GAP / 2
        y += tallest + LAYER_GAP
    height = y - LAYER_GAP + MARGIN

    arrows: list[str] = []
    sentences: list[str] = []
    for source in (key for step in steps for key in step):  # in pathway order, for the description
        for target in edges.get(source, ()):
            if target not in place:
                continue
            sx, _st, sb = place[source]
            tx, tt, _tb = place[target]
            x1, x2 = sx + BOX_WIDTH / 2, tx + BOX_WIDTH / 2
            y1, y2 = sb, tt - 1
            mid = (y1 + y2) / 2
            arrows.append(f'<path class="glossary-map__edge" d="M{x1:g} {y1:g}C{x1:g} {mid:g} {x2:g} {mid:g} '
                          f'{x2:g} {y2 - 6:g}"/>')
            arrows.append(f'<path class="glossary-map__arrow" d="M{x2 - 5:g} {y2 - 8:g}L{x2:g} {y2:g}L{x2 + 5:g} '
                          f'{y2 - 8:g}Z" fill="currentColor" stroke="none"/>')
            sentences.append(f"{nodes[source].label} is made into {nodes[target].label}.")
    boxes = []
    for step in steps:
        for key in step:
            x, top, _bottom = place[key]
            boxes.append(_box(nodes[key], x, top, wrapped[key], "step"))
    body = [_EDGES, *arrows, "</g>", *boxes]
    desc = " ".join(sentences) + " Each box links to its entry."
    return _svg(width, height, prefix, title, desc, body, "pathway")
