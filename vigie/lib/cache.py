"""Caching that every process agrees on: version tokens in Redis, values kept close.

Each family of cached values ("user:42", "feed:7") has a version token, a
random string kept in the shared cache (Redis). A value is remembered under
its family's current token; bumping the token after a change makes every
value of the family unreachable at once, in every process. Values live in
each process's own memory, pickled, and are unpickled on each read, so no
request ever holds an object another request can change. A warm read costs
one Redis round trip for the tokens (one per request when they are asked for
together with ``prefetch``), whatever the size of the value.

Writers bump twice: at once, so that the rest of their own transaction (and
a test, which runs inside one) sees the change; and after the commit, so that
a value a reader computed from the database before the commit, and stored
under the token it read then, is never reachable afterwards.

One rule: never remember, inside a transaction, what that transaction wrote
(readers run outside the writers' transactions: views read after the action
returns); another request could see it before the commit, or after a rollback.

Without Redis (the demo on SQLite, whose web workers share no memory) nothing
is remembered and every read goes to the database; tests, in one process,
use a local-memory cache instead, so that the caching itself is tested.
"""

from __future__ import annotations

import logging
import pickle  # nosec B403 - only ever loads bytes this process pickled itself
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

SHARED_CACHE = "shared"
# What an entry costs beyond its pickled value and its key (dict slot, objects).
ENTRY_OVERHEAD = 300
# A token outlives the values stored under it; when it expires, a new token
# simply makes the old values unreachable.
TOKEN_TIMEOUT = 7 * 24 * 60 * 60

# The tokens read during the current request: one Redis round trip per family
# at most, and a consistent view while the request runs.
_request_tokens: ContextVar[dict[str, str] | None] = ContextVar("request_tokens", default=None)


@dataclass(frozen=True, slots=True)
class _Stored:
    value: Any  # pickled bytes, or the object itself when immutable
    size: int  # pickled value, key and overhead: what the memory bound counts
    # Said with the value, so that whoever reads an entry (remember, remember_together)
    # returns what was remembered, however it was written.
    pickled: bool = True

    def copy(self) -> Any:
        """A fresh copy when pickled (callers may change it), else the one shared object."""
        if self.pickled:
            return pickle.loads(self.value)  # noqa: S301 # nosec B301 - our own bytes
        return self.value


class _LocalValues:
    """A least-recently-used map of remembered values, bounded in (pickled) bytes."""

    def __init__(self, *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.values: OrderedDict[str, _Stored] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> _Stored | None:
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value: _Stored) -> None:
        if value.size > self.max_bytes // 16:
            return  # one huge value must not push everything else out
        with self.lock:
            previous = self.values.pop(key, None)
            if previous is not None:
                self.size -= previous.size
            self.values[key] = value
            self.size += value.size
            while self.size > self.max_bytes:
                _oldest, dropped = self.values.popitem(last=False)
                self.size -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.size = 0


_local = _LocalValues(max_bytes=settings.LOCAL_CACHE_MEGABYTES * 1024 * 1024)


def enabled() -> bool:
    return bool(settings.SHARED_CACHE_ENABLED)


def _token_key(family: str) -> str:
    return f"version:{family}"


def prefetch(*families: str) -> None:
    """Read the tokens of several families in one round trip (for this request)."""
    tokens = _request_tokens.get()
    if tokens is None or not enabled():
        return
    try:
        _read_tokens([family for family in families if family not in tokens], into=tokens)
    except Exception:  # each value will then be computed, as remember() does
        logger.exception("The shared cache does not answer")


def _read_tokens(families: list[str], *, into: dict[str, str]) -> None:
    if not families:
        return
    cache = caches[SHARED_CACHE]
    found = cache.get_many([_token_key(family) for family in families])
    for family in families:
        token = found.get(_token_key(family))
        if token is None:
            fresh = secrets.token_hex(8)
            # Another process may create the token at the same moment: use theirs.
            if cache.add(_token_key(family), fresh, timeout=TOKEN_TIMEOUT):
                token = fresh
            else:
                token = cache.get(_token_key(family)) or fresh
        into[family] = str(token)


def get_many_with_tokens(keys: list[str], *, families: list[str]) -> dict[str, Any]:
    """Values of the shared cache, and (for this request) the tokens of families, at once.

    One round trip where two would follow each other: the session, and the
    token of the account it names.
    """
    cache = caches[SHARED_CACHE]
    tokens = _request_tokens.get()
    if tokens is None or not enabled():
        return cache.get_many(keys)
    wanted = list(dict.fromkeys(family for family in families if family not in tokens))
    found = cache.get_many([*keys, *(_token_key(family) for family in wanted)])
    missing = []
    for family in wanted:
        token = found.get(_token_key(family))
        if token is None:
            missing.append(family)
        else:
            tokens[family] = str(token)
    _read_tokens(missing, into=tokens)
    return {key: found[key] for key in keys if key in found}


def _token(family: str) -> str:
    tokens = _request_tokens.get()
    if tokens is None:
        tokens = {}
        _read_tokens([family], into=tokens)
        return tokens[family]
    if family not in tokens:
        _read_tokens([family], into=tokens)
    return tokens[family]


def remember(
    family: str, compute: Callable[[], T], *, detail: str = "", immutable: bool = False
) -> T:
    """The value of ``compute()``, remembered until the family is bumped.

    ``detail`` tells apart several values of one family (a page, a filter).
    Each call returns a fresh copy that callers may change freely, unless the
    value is ``immutable`` (tuples of frozen dataclasses, strings): then the
    one remembered object is shared, which spares unpickling it.
    """
    if not enabled():
        return compute()
    try:
        token = _token(family)
    except Exception:  # Redis down: correct, only slower
        logger.exception("The shared cache does not answer: computing %s", family)
        return compute()
    key = f"{family}@{token}:{detail}"
    stored = _local.get(key)
    if stored is not None:
        remembered: T = stored.copy()
        return remembered
    value = compute()
    pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(pickled) + len(key) + ENTRY_OVERHEAD
    _local.put(key, _Stored(value if immutable else pickled, size=size, pickled=not immutable))
    return value


def remember_together(
    wanted: Mapping[str, str], compute: Callable[[tuple[str, ...]], dict[str, T]]
) -> dict[str, T]:
    """Several immutable values, each of its own family, those not remembered computed at once.

    ``wanted`` maps each value's detail to its family. ``compute`` receives the
    details missing and returns a value for each: one query where a value each
    would take one (a feed's shared posts and its reader's own absences, after
    both families were bumped). Every token is read before anything is
    computed, and each value is kept under its own family's token, so a bump of
    one family never reaches the others' values.
    """
    details = tuple(wanted)
    if not enabled():
        return compute(details)
    try:
        tokens = {family: _token(family) for family in dict.fromkeys(wanted.values())}
    except Exception:  # Redis down: correct, only slower
        logger.exception("The shared cache does not answer: computing %s", ", ".join(details))
        return compute(details)
    keys = {detail: f"{family}@{tokens[family]}:{detail}" for detail, family in wanted.items()}
    found: dict[str, T] = {}
    missing = []
    for detail in details:
        stored = _local.get(keys[detail])
        if stored is None:
            missing.append(detail)
        else:
            found[detail] = stored.copy()
    if missing:
        computed = compute(tuple(missing))
        for detail in missing:
            value = computed[detail]
            size = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            _local.put(
                keys[detail],
                _Stored(value, size=size + len(keys[detail]) + ENTRY_OVERHEAD, pickled=False),
            )
            found[detail] = value
    return found


def bump(*families: str) -> None:
    """Make every value of these families unreachable, now and after the commit."""
    if not enabled() or not families:
        return
    _renew(families)  # a failure here fails the change itself: nothing is half done

    def renew_again() -> None:
        try:
            _renew(families)
        except Exception:  # committed already: the first bump stands
            logger.exception("Could not bump %s again after the commit", families)

    transaction.on_commit(renew_again)


def _renew(families: tuple[str, ...]) -> None:
    fresh = {family: secrets.token_hex(8) for family in families}
    caches[SHARED_CACHE].set_many(
        {_token_key(family): token for family, token in fresh.items()}, timeout=TOKEN_TIMEOUT
    )
    tokens = _request_tokens.get()
    if tokens is not None:
        tokens.update(fresh)


@contextmanager
def request_scope() -> Iterator[dict[str, str]]:
    """The tokens this request reads, once each; the caller may note them as a habit."""
    tokens: dict[str, str] = {}
    scope = _request_tokens.set(tokens)
    try:
        yield tokens
    finally:
        _request_tokens.reset(scope)


# The families each reader (a session) needed on its last request: a reader
# mostly asks for the same pages again, so their tokens are read in the same
# round trip as the session itself. Only a hint: a family it did not foresee
# is read when asked for.
_habits: dict[str, tuple[str, ...]] = {}
_HABITS_MAX = 100_000


def note_habit(reader: str, tokens: dict[str, str]) -> None:
    if not tokens:
        return
    if len(_habits) >= _HABITS_MAX:
        _habits.clear()
    _habits[reader] = tuple(tokens)


def habit(reader: str) -> tuple[str, ...]:
    return _habits.get(reader, ())


def forget_local_values() -> None:
    """For tests: what this process remembers goes (the shared tokens are the caller's)."""
    _local.clear()
    _habits.clear()
    tokens = _request_tokens.get()
    if tokens is not None:
        tokens.clear()
