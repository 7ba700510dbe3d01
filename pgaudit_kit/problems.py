"""What verify can find: each kind of problem, what it means, and whether it needs digests.

One list, so verify, its JSON, the README's tamper-evidence section and the tests name the same
kinds (``tests/unit/test_docs.py`` holds the README to it).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The kinds of problem verify reports, and what each means.
PROBLEM_KINDS = {
    "edited": "a sealed row's content differs from what was sealed",
    "deleted": "a sealed row is missing",
    "inserted": "a row appeared inside a sealed block's range",
    "swapped": "two sealed rows exchanged their contents",
    "duplicate_id": "two rows share an id",
    "hidden_insert": "a row no block holds and no seal will ever take (below the sealed horizon, "
    "or with a transaction id that was never assigned)",
    "dated_after_seal": "a sealed row is dated after its block was sealed, or later than now",
    "sealed_out_of_order": "a block was sealed before the block before it, or in the future",
    "block_edited": "a block header's fields no longer match its hash",
    "leaves_edited": "a block's stored leaf list no longer matches its Merkle root",
    "block_missing": "a block is missing from the chain",
    "block_reordered": "a block links to a block that is not its predecessor",
    "broken_link": "a block's previous-hash does not match the block before it",
    "range_gap": "blocks do not cover contiguous transaction-id ranges",
    "forged_purge": "a PURGE event that does not match the blocks, tables or times it names",
    "early_purge": "rows were purged before the retention in force (or the auditor's config) "
    "allowed, or of a class that keeps them for ever",
    "held_purge": "rows were purged while a legal hold covered them",
    "forged_redaction": "a row is marked redacted without a sealed REDACT event, or holds other "
    "values than the redaction marker",
    "redaction_edited": "a redaction's record differs from the sealed REDACT event",
    "hold_mismatch": "the holds table differs from the sealed HOLD events",
    "key_mismatch": "the key records differ from the sealed KEY events",
    "tail_cut": "a block a digest recorded no longer exists (the chain was cut)",
    "chain_rewritten": "a block's hash, or the rows sealed up to it, differ from what a digest "
    "recorded",
    "digest_altered": "a digest's readable field its signature does not cover disagrees with "
    "the chain",
    "manifest_forged": "an archive manifest whose signature does not verify, or that does not "
    "name the manifest before it",
    "manifest_missing": "an archive manifest is missing from the sequence",
    "archive_file_missing": "a file an archive manifest lists is not in the folder",
    "archive_file_altered": "an archive file's SHA-256 or size differs from its signed manifest",
    "archive_file_unlisted": "an archive file no signed manifest names",
    "archive_block_altered": "an archived block's header or rows no longer give its hash or "
    "Merkle root",
    "witness_block_differs": "a block's hash differs between the primary and the witness",
    "witness_block_missing": "a block the witness holds is missing on the primary",
    "witness_rows_lost": "rows the witness holds are gone from the primary, and no purge says why",
    "witness_invalid": "the witness's own copy of the chain does not verify",
}
#: The kinds only a signed digest kept outside the database can reveal.
NEED_DIGESTS = frozenset({"tail_cut", "chain_rewritten", "digest_altered"})
#: The kinds only ``verify --archive`` reports, of a folder of archives.
NEED_ARCHIVE = frozenset(k for k in PROBLEM_KINDS if k.startswith(("manifest_", "archive_")))
#: The kinds only ``verify --witness`` reports, comparing the primary with its witness.
NEED_WITNESS = frozenset(k for k in PROBLEM_KINDS if k.startswith("witness_"))


@dataclass(frozen=True)
class Problem:
    kind: str
    block: int | None
    row_id: int | None
    detail: str

    def __post_init__(self) -> None:
        assert self.kind in PROBLEM_KINDS, self.kind
