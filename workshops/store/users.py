"""Facilitator accounts and one-time log-in links."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .schema import EMAIL_LENGTH, LoginToken, User, utcnow

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 200


class AccountError(ValueError):
    """An account that cannot be created as asked; the message is French."""


def normalise_email(email: str) -> str:
    """The address as stored and looked up: trimmed, lower case."""
    return email.strip().lower()


def create_user(
    session: Session, email: str, password: str, display_name: str | None = None
) -> User:
    """Create a facilitator account; the password is stored hashed (werkzeug, scrypt).

    Raises :class:`AccountError` for a malformed or taken address or a too short password.
    """
    address = normalise_email(email)
    if "@" not in address or len(address) > EMAIL_LENGTH or " " in address:
        raise AccountError(f"« {email.strip()} » n'est pas une adresse électronique valide.")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(
            f"Le mot de passe doit compter au moins {PASSWORD_MIN_LENGTH} caractères."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(f"Le mot de passe dépasse {PASSWORD_MAX_LENGTH} caractères.")
    if find_user(session, address) is not None:
        raise AccountError(f"Un compte existe déjà pour {address}.")
    name = display_name.strip()[:120] if display_name and display_name.strip() else None
    user = User(email=address, password_hash=generate_password_hash(password), display_name=name)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (same length rules as :func:`create_user`)."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise AccountError(
            f"Le mot de passe doit compter de {PASSWORD_MIN_LENGTH} à {PASSWORD_MAX_LENGTH} "
            "caractères."
        )
    user.password_hash = generate_password_hash(password)
    session.flush()


def find_user(session: Session, email: str) -> User | None:
    """The account with this address (case does not matter), or ``None``."""
    address = normalise_email(email)
    return session.scalars(select(User).where(func.lower(User.email) == address)).first()


def get_user(session: Session, user_id: int) -> User | None:
    """The account with this id, or ``None``."""
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    """Every account, by address."""
    return list(session.scalars(select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account if the password matches, else ``None`` (same cost either way)."""
    user = find_user(session, email)
    if user is None:
        # Hash anyway so that timing does not tell which addresses have an account.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash("chemins-dummy-password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_login_token(session: Session, user_id: int, ttl: dt.timedelta) -> str:
    """A one-time log-in token for ``user_id``, valid for ``ttl``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(LoginToken(token_hash=_digest(token), user_id=user_id, created_at=now,
                           expires_at=now + ttl))
    session.flush()
    return token


def consume_login_token(session: Session, token: str) -> User | None:
    """The user of a valid, unused, unexpired token, which is used up; else ``None``."""
    if not token or len(token) > 200:
        return None
    row = session.scalars(
        select(LoginToken).where(LoginToken.token_hash == _digest(token)).with_for_update()
    ).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    session.flush()
    return session.get(User, row.user_id)
