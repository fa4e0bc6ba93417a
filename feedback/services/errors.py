"""How an admin's change fails: Refused names the form field to blame and changes nothing
(the transaction is rolled back whole); NotFound, for any ticket, user, directorate,
category, area, rule, block or SMS asked for by a code or id that names none."""

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError

from feedback.extensions import db

_P = ParamSpec("_P")
_R = TypeVar("_R")


class Refused(Exception):
    """A change the data cannot take. `field` is the form field to blame (None: the whole
    form), `reason` a stable key the web layer words, `params` what the wording needs."""

    def __init__(self, field_name: str | None, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason
        self.params = params


class NotFound(Exception):
    """No such ticket, user, directorate, category, area or rule."""


def all_or_nothing(change: Callable[_P, _R]) -> Callable[_P, _R]:
    """A refused change leaves nothing behind: the transaction is rolled back and the error
    passed on."""

    @wraps(change)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return change(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return run


def commit_or_refuse(field_name: str, reason: str) -> None:
    """Commit; a unique constraint that a concurrent admin won first is a refusal, not a 500."""
    try:
        db.session.commit()
    except IntegrityError as error:
        raise Refused(field_name, reason) from error
