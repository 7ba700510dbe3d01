"""Which settings capture pins: those a column type's output depends on, all of them for a type
it does not know."""

from __future__ import annotations

import pytest

from pgaudit_kit.generate import _PINNED, _render_settings


@pytest.mark.parametrize(
    ("type_text", "settings"),
    [
        ("integer", ()),
        ("character varying(20)", ()),
        ("numeric(12,2)[]", ()),
        ("jsonb", ()),
        ("timestamp(3) with time zone", ("timezone", "datestyle")),
        ("timestamp without time zone[]", ("datestyle",)),
        ("date", ("datestyle",)),
        ("interval", ("intervalstyle",)),
        ("double precision", ("extra_float_digits",)),
        ("real[]", ("extra_float_digits",)),
        ("bytea", ("bytea_output",)),
        ("tstzrange", ("timezone", "datestyle")),
    ],
)
def test_known_types_pin_what_their_output_depends_on(
    type_text: str, settings: tuple[str, ...]
) -> None:
    assert _render_settings(type_text) == settings


@pytest.mark.parametrize("type_text", ["shop.email", '"Sales Co".money_type', "money", "hstore"])
def test_a_type_it_does_not_know_pins_everything(type_text: str) -> None:
    assert _render_settings(type_text) == tuple(_PINNED)
