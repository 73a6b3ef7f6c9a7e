"""Members, invitations and one-time sign-in links."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

ROLES = ("member", "facilitator", "admin")


class Member(UserMixin, db.Model):
    """A person of the place: a coopérateur·rice who signs in."""

    __tablename__ = "member"
    __table_args__ = (CheckConstraint("role IN ('member', 'facilitator', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]
    # Erased at their request or an admin's (meeting/privacy): the row stays as the pseudonymous
    # author of the archive ("Membre effacé·e n° 12"), with no e-mail, password or session.
    erased_at: Mapped[datetime | None]
    # After erasure, a keyed digest of the name it had (never the name): the public redactor
    # still finds it in free texts that cite them (decisions.public.erased_name_key).
    erased_name_key: Mapped[str | None] = mapped_column(String(80))
    last_sign_in_at: Mapped[datetime | None]
    # "Ce que vous avez manqué" was marked read up to this moment (None: never).
    caught_up_at: Mapped[datetime | None]
    # The place's own author for what comes from outside (the public proposal form): never
    # signs in (deactivated), never listed among the members.
    is_system: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Keeps the place's budget and records gifts (admins do too), whatever the role.
    is_treasurer: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def is_active(self):  # Flask-Login: a deactivated member's session is refused.
        return self.deactivated_at is None

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_facilitator(self):
        return self.role in ("facilitator", "admin")

    def __repr__(self):
        return f"<Member {self.id} {self.display_name!r}>"


class Invitation(db.Model):
    """A single-use link made by an admin so that someone can create their account."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    created_by: Mapped[Member | None] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[Member | None] = relationship(foreign_keys=[used_by_id])


class LoginToken(db.Model):
    """A magic sign-in link sent by e-mail: valid 15 minutes, used once."""

    __tablename__ = "login_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class FeedToken(db.Model):
    """A member's personal feed address (decisions and minutes when they are members-only):
    only the token's hash is stored; revoking it ends the address for good."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    # What the address opens: "archive" (decisions and minutes feeds) or "calendar" (the
    # personal iCal feed, members-only events included); one active token per scope.
    scope: Mapped[str] = mapped_column(String(20), default="archive", server_default="archive")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class MemberSession(db.Model):
    """One signed-in browser of a member: the signed cookie's `sid` names it (only its sha256
    is kept); a session is accepted while its row is not revoked (sign-out, password change,
    deactivation, "se déconnecter des autres appareils")."""

    __tablename__ = "member_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most every few minutes (members.sessions.TOUCH_EVERY), not on each request.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "Firefox/Linux": the browser and the system read from the User-Agent, nothing more.
    user_agent: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # Kept for 30 days ("rester connecté·e") or until the browser closes.
    remember: Mapped[bool] = mapped_column(default=False, server_default=false())
    revoked_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class PlaceSetting(db.Model):
    """One setting the place chooses in the app (key → value), e.g. `publication`:
    `members` (decisions and minutes for members only, the default) or `public`."""

    __tablename__ = "place_setting"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
