"""Safe, collision-free file names for identifiers that come from the data."""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

_MAX_STEM = 60
# File systems count a name's bytes (ext4: 255): 60 four-byte letters plus hash and suffix would exceed that.
_MAX_STEM_BYTES = 120


@lru_cache(maxsize=1 << 16)  # an index links each rep's files several times per period
def safe_stem(identifier: str) -> str:
    """A file name stem for any identifier: readable letters and digits plus a hash of the exact id.

    Separators, dots and control characters become `_`, so no stem can leave
    its folder or name a device (`CON`); the hash suffix keeps `a/b` and `a_b`
    apart and makes every stem unique to its id.
    """
    text = unicodedata.normalize("NFKC", identifier)
    readable = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text).strip("_")[:_MAX_STEM]
    readable = clip_utf8(readable, _MAX_STEM_BYTES)
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}" if readable else digest


def clip_utf8(text: str, limit: int) -> str:
    """The longest start of text whose UTF-8 encoding fits in `limit` bytes (file names are limited in bytes)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
