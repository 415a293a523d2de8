"""The copies of Material's templates in overrides/ differ from Material's own only by the changes their
header comments name, so a new Material pin cannot silently bring back an old template (or lose a fix)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import material
import pytest
from conftest import ROOT

MATERIAL = Path(material.__file__).parent / "templates"
_GENERATED = "{#-\n  This file was automatically generated - do not edit\n-#}\n"
_OURS = re.compile(r"\A\{#-\n.*?\n-#\}\n", re.S)


def _nav_item(text: str) -> str:
    return text.replace('tabindex="{{ tabindex }}"', '{% if tabindex %}tabindex="{{ tabindex }}"{% endif %}')


def _nav(text: str) -> str:
    integrated = ('{% if "toc.integrate" in features %}\n  {% set class = class ~ " md-nav--integrated" %}\n'
                  '{% endif %}\n')
    text = text.replace(integrated, integrated + '{% if page and page.toc and page not in nav.pages %}\n'
                        '  {% set class = class ~ " md-nav--integrated" %}\n{% endif %}\n', 1)
    return text.replace('  <ul class="md-nav__list" data-md-scrollfix>\n',
                        '  <ul class="md-nav__list" data-md-scrollfix>\n'
                        '    {% if page and page.toc and page not in nav.pages %}\n'
                        '      {{ item.render(page, "__nav_page", 1) }}\n'
                        '    {% endif %}\n', 1)


def _base(text: str) -> str:
    return text.replace('id="__drawer" autocomplete="off">', 'id="__drawer">') \
        .replace('id="__search" autocomplete="off">', 'id="__search">')


def _copyright(text: str) -> str:
    return text.replace('<div class="md-copyright">\n', '<div class="md-copyright">\n'
                        '  {% if config.extra.glossary_help_page %}\n'
                        '    <p class="glossary-footer-help"><a href="{{ config.extra.glossary_help_page | url }}">'
                        'Get help now</a>: what to do in an emergency</p>\n'
                        '  {% endif %}\n', 1)


CHANGES: dict[str, Callable[[str], str]] = {
    "base.html": _base,
    "partials/nav-item.html": _nav_item,
    "partials/nav.html": _nav,
    "partials/copyright.html": _copyright,
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_override_is_materials_template_with_the_named_changes(name: str) -> None:
    """overrides/<name> is Material's <name> with exactly the changes its header comment describes."""
    theirs = (MATERIAL / name).read_text(encoding="utf-8")
    assert theirs.startswith(_GENERATED), f"Material's {name} changed shape: update the override"
    ours = (ROOT / "overrides" / name).read_text(encoding="utf-8")
    header = _OURS.match(ours)
    assert header and "Material 9.8.1" in header.group(0), f"overrides/{name} must say what it changes and why"
    expected = CHANGES[name](theirs[len(_GENERATED):])
    assert expected != theirs[len(_GENERATED):], f"the change to {name} no longer applies to Material's template"
    assert ours[header.end():] == expected, f"overrides/{name} differs from Material's {name} beyond the named change"
