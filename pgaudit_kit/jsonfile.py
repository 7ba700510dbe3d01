"""Reading the JSON files auditors are handed (proofs, digests): bounded and strict.

A proof or digest may come from anyone, so reading one is parsing hostile input: its size is
bounded before it is read, and whatever json cannot represent as plain text and numbers (lone
surrogates, nesting deeper than the parser goes, integers of thousands of digits) is bad input,
one line naming the file, never a crash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError

#: The largest integer a field may hold (PostgreSQL's bigint).
MAX_INT = 2**63 - 1


def read(path: Path, *, what: str, hint: str, max_bytes: int) -> Any:
    """The JSON document in ``path``.

    :raises InputError: when the file is missing, larger than ``max_bytes``, not UTF-8, not
        JSON, or holds text that is not Unicode.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"the {what} is {size:,} bytes, more than a {what} can be ({max_bytes:,})",
                where=str(path),
                hint=hint,
            )
        document = json.loads(path.read_text(encoding="utf-8"))
        json.dumps(document, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here
    except FileNotFoundError as e:
        raise InputError(f"{what} file not found", where=str(path)) from e
    except IsADirectoryError as e:
        raise InputError(f"the {what} is a folder, not a file", where=str(path)) from e
    except OSError as e:
        raise InputError(f"cannot read the {what}: {e.strerror}", where=str(path)) from e
    except UnicodeError as e:
        why = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else "a lone surrogate"
        raise InputError(f"not a pgaudit-kit {what} ({why})", where=str(path), hint=hint) from e
    except (ValueError, RecursionError) as e:
        why = (
            "not JSON" if isinstance(e, json.JSONDecodeError)
            else "nested too deeply" if isinstance(e, RecursionError)
            else "a number with too many digits"
        )  # fmt: skip
        raise InputError(f"not a pgaudit-kit {what} ({why})", where=str(path), hint=hint) from e
    return document


def integer(value: object) -> int | None:
    """``value`` when it is a JSON integer a bigint holds (not a bool), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and -MAX_INT <= value <= MAX_INT:
        return value
    return None


def decimal(text: str) -> int:
    """A base-10 integer in ASCII digits that a bigint holds.

    :raises ValueError: for anything else (other digits, signs, spaces, 20 digits or more).
    """
    if not (text.isascii() and text.isdigit() and len(text) < 20) or int(text) > MAX_INT:
        raise ValueError(f"not a decimal number: {text[:30]!r}")
    return int(text)
