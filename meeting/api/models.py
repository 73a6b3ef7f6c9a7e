"""The API's own table: a member's personal tokens (migration `3f6a7b8c9d0e`)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Member
from ..models.base import utcnow


class ApiToken(db.Model):
    """A secret a member gives a program so that it acts as them through the JSON API
    (`Authorization: Bearer …`): only its sha256 is stored; revoking it ends it for good. A
    member names each of theirs (`label`) and may hold several at once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once an hour (tokens.note_use): bookkeeping, not a traced change.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()
