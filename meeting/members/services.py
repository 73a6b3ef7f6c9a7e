"""Member services: every change to accounts goes through here (permission → validation →
change + trace → commit → publish)."""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import permissions
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..mail import mail_enabled, send_mail
from ..models import ROLES, Invitation, LoginToken, Member
from ..models.base import utcnow
from ..pipeline import change
from ..realtime import close_connections, member_room
from . import sessions

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def role_label(role):
    return {
        "member": _("coopérateur·rice"),
        "facilitator": _("facilitateur·rice"),
        "admin": _("administrateur·rice"),
    }.get(role, role)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token():
    return secrets.token_urlsafe(32)


# -- validation ----------------------------------------------------------------------------


def clean_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_l("Indiquez votre prénom ou le nom qui sera affiché."), code="name")
    if len(name) > 80:
        raise ServiceError(_l("Le nom affiché ne doit pas dépasser 80 caractères."), code="name")
    return name


def clean_email(email, required=False, exclude_id=None):
    email = (email or "").strip().lower()
    if not email:
        if required:
            raise ServiceError(_l("Indiquez une adresse e-mail."), code="email")
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ServiceError(_l("Cette adresse e-mail n’est pas valide."), code="email")
    query = select(Member.id).where(func.lower(Member.email) == email)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ServiceError(_l("Cette adresse e-mail est déjà utilisée."), code="email_taken")
    return email


def clean_password(password):
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(
            _l("Le mot de passe doit compter au moins %(n)s caractères.", n=MIN_PASSWORD),
            code="password",
        )
    if len(password) > 200:
        raise ServiceError(_l("Le mot de passe est trop long."), code="password")
    return password


def clean_role(role):
    if role not in ROLES:
        raise ServiceError(_l("Ce rôle n’existe pas."), code="role")
    return role


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


# -- first admin and sign-in ---------------------------------------------------------------


def has_members():
    return db.session.scalar(select(func.count(Member.id))) > 0


def create_admin(display_name, email, password, first_run=False):
    """Create an admin account (the first one from the first-run page, or from the CLI)."""
    if first_run and has_members():
        raise ServiceError(_l("Vendredi est déjà installé : connectez-vous."), code="installed")
    display_name = clean_name(display_name)
    email = clean_email(email, required=True)
    password = clean_password(password)
    with change() as c:
        member = Member(
            display_name=display_name,
            email=email,
            role="admin",
            password_hash=hash_password(password),
        )
        db.session.add(member)
        c.trace(member, "member_joined", member, first=True)
    return member


def authenticate(email, password):
    """Return the active member with this e-mail and password, or refuse in French."""
    email = (email or "").strip().lower()
    member = db.session.scalar(select(Member).where(func.lower(Member.email) == email))
    valid = (
        member is not None
        and member.password_hash
        and check_password_hash(member.password_hash, password or "")
    )
    if not valid:
        raise ServiceError(_l("Adresse e-mail ou mot de passe incorrect."), code="bad_credentials")
    if not member.is_active:
        raise ServiceError(
            _l("Ce compte a été désactivé. Adressez-vous à la conciergerie."), code="deactivated"
        )
    return member


def note_sign_in(member):
    """Remember when a member last signed in (not traced: it is nobody else's business)."""
    with change():
        db.session.get(Member, member.id).last_sign_in_at = utcnow()


# -- magic links ---------------------------------------------------------------------------


def request_magic_link(email, next_path=None):
    """Mail a 15-minute sign-in link to an active member's address; say nothing either way.
    `next_path` (a path inside the app, already checked) is where the link leads once used."""
    email = (email or "").strip().lower()
    if not mail_enabled() or not EMAIL_RE.match(email):
        return False
    member = db.session.scalar(select(Member).where(func.lower(Member.email) == email))
    if member is None or not member.is_active:
        return False
    token = _new_token()
    minutes = current_app.config["MAGIC_LINK_MINUTES"]
    link = _external(
        "members.magic_link", token=token, **({"next": next_path} if next_path else {})
    )
    sent = {}
    with change() as c:
        db.session.add(
            LoginToken(
                token_hash=hash_token(token),
                member_id=member.id,
                expires_at=utcnow() + timedelta(minutes=minutes),
            )
        )
        c.after_commit(_mail_link, sent, member, link, minutes)
    return sent.get("mailed", False)


def _mail_link(sent, member, link, minutes):
    """After the commit: the link exists, now it is mailed."""
    body = _(
        "Bonjour %(name)s,\n\nPour vous connecter à Vendredi, ouvrez ce lien puis appuyez sur "
        "« Me connecter » :\n\n%(link)s\n\nCe lien est valable %(minutes)s minutes et ne sert "
        "qu’une fois. Si vous n’avez rien demandé, ignorez ce message.\n\n— Vendredi, Le 97",
        name=member.display_name,
        link=link,
        minutes=minutes,
    )
    sent["mailed"] = send_mail(member.email, _("Votre lien de connexion à Vendredi"), body)


def _external(endpoint, **values):
    """An absolute link for a mail, at the place's public address: PUBLIC_URL when set, else
    the address of the request (as the proxy forwarded it), prefix and scheme included."""
    from ..realtime import render_context, request_links

    if not has_request_context():
        with render_context(current_app._get_current_object()):
            return url_for(endpoint, _external=True, **values)
    with request_links():
        return url_for(endpoint, _external=True, **values)


def find_login_token(token):
    """Return the usable magic-link row for `token`, or refuse (unknown, used or expired)."""
    row = db.session.scalar(
        select(LoginToken).where(LoginToken.token_hash == hash_token(token or ""))
    )
    if row is None:
        raise NotFound(_l("Ce lien de connexion n’est pas valable."), code="bad_token")
    if row.used_at is not None:
        raise ServiceError(
            _l("Ce lien de connexion a déjà servi. Demandez-en un nouveau."),
            code="token_used",
            status=410,
        )
    if row.expires_at < utcnow():
        raise ServiceError(
            _l("Ce lien de connexion a expiré. Demandez-en un nouveau."),
            code="token_expired",
            status=410,
        )
    if not row.member.is_active:
        raise ServiceError(_l("Ce compte a été désactivé."), code="deactivated", status=410)
    return row


def use_login_token(token):
    """Spend a magic link once (compare-and-set) and return its member."""
    row = find_login_token(token)
    member_id, row_id = row.member_id, row.id
    with change():
        used = db.session.execute(
            update(LoginToken)
            .where(LoginToken.id == row_id, LoginToken.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        if used != 1:
            raise ServiceError(
                _l("Ce lien de connexion a déjà servi."), code="token_used", status=410
            )
        db.session.get(Member, member_id).last_sign_in_at = utcnow()
    return db.session.get(Member, member_id)


# -- invitations ---------------------------------------------------------------------------


def invite(actor, email=None, role="member"):
    """Make a single-use invitation link (14 days); mail it when an address is given."""
    require(permissions.can_manage_members(actor))
    role = clean_role(role)
    email = clean_email(email) if email else None
    token = _new_token()
    days = current_app.config["INVITATION_DAYS"]
    link = _external("members.accept_invitation", token=token)
    with change() as c:
        invitation = Invitation(
            token_hash=hash_token(token),
            email=email,
            role=role,
            created_by_id=actor.id,
            expires_at=utcnow() + timedelta(days=days),
        )
        db.session.add(invitation)
        c.trace(actor, "member_invited", invitation, role=role)
        sent = {}
        if email:
            c.after_commit(_mail_invitation, sent, email, actor.display_name, days, link)
    return invitation, link, sent.get("mailed", False)


def _mail_invitation(sent, email, actor_name, days, link):
    """After the commit: the invitation exists, now it is mailed."""
    body = _(
        "Bonjour,\n\n%(actor)s vous invite à rejoindre Vendredi, l’outil de la réunion du "
        "vendredi du 97.\n\nCréez votre compte ici (lien valable %(days)s jours, une seule "
        "fois) :\n\n%(link)s\n\n— Vendredi, Le 97",
        actor=actor_name,
        days=days,
        link=link,
    )
    sent["mailed"] = send_mail(email, _("Invitation à rejoindre Vendredi"), body)


def find_invitation(token):
    """Return the usable invitation for `token`, or refuse (unknown, used or expired)."""
    row = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if row is None:
        raise NotFound(_l("Cette invitation n’est pas valable."), code="bad_token")
    if row.used_at is not None:
        raise ServiceError(
            _l("Cette invitation a déjà servi. Demandez-en une nouvelle."),
            code="token_used",
            status=410,
        )
    if row.expires_at < utcnow():
        raise ServiceError(
            _l("Cette invitation a expiré. Demandez-en une nouvelle."),
            code="token_expired",
            status=410,
        )
    return row


def accept_invitation(token, display_name, email, password):
    """Create the invited person's account and spend the invitation once."""
    invitation = find_invitation(token)
    display_name = clean_name(display_name)
    email = clean_email(email, required=True)
    password = clean_password(password)
    invitation_id, role = invitation.id, invitation.role
    with change() as c:
        member = Member(
            display_name=display_name,
            email=email,
            role=role,
            password_hash=hash_password(password),
            last_sign_in_at=utcnow(),
        )
        db.session.add(member)
        db.session.flush()
        used = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
            .values(used_at=utcnow(), used_by_id=member.id)
        ).rowcount
        if used != 1:
            raise ServiceError(_l("Cette invitation a déjà servi."), code="token_used", status=410)
        c.trace(member, "member_joined", member)
    return member


# -- roles, deactivation, profile -----------------------------------------------------------


def _get_member(member_id):
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound(_l("Ce membre n’existe pas."))
    return member


def get_member(member_id):
    """A member by id (NotFound in French)."""
    return _get_member(member_id)


def _active_admins():
    return db.session.scalar(
        select(func.count(Member.id)).where(Member.role == "admin", Member.deactivated_at.is_(None))
    )


def change_role(actor, member_id, role):
    """Give a member another role (admins only; the last admin keeps theirs)."""
    require(permissions.can_manage_members(actor))
    role = clean_role(role)
    member = _get_member(member_id)
    if member.role == role:
        return member
    if member.role == "admin" and _active_admins() <= 1:
        raise Conflict(
            _l("Il faut au moins un·e administrateur·rice : ce rôle ne peut pas être retiré."),
            code="last_admin",
        )
    with change() as c:
        member = _get_member(member_id)
        member.role = role
        c.trace(actor, "role_changed", member, member_id=member.id, role=role)
    return member


def set_treasurer(actor, member_id, value):
    """Mark a member as keeping the place's accounts, or no longer (admins only; traced
    `treasurer_changed`)."""
    require(permissions.can_manage_members(actor))
    value = bool(value)
    member = _get_member(member_id)
    if member.is_system:
        raise NotFound(_l("Ce membre n’existe pas."))
    if member.is_treasurer == value:
        return member
    with change() as c:
        member = _get_member(member_id)
        member.is_treasurer = value
        c.trace(actor, "treasurer_changed", member, member_id=member.id, value=value)
    return member


def deactivate(actor, member_id):
    """Close a member's account: every session of theirs ends (the rows are revoked, so a kept
    cookie is refused) and their live connections close at once."""
    require(permissions.can_manage_members(actor))
    member = _get_member(member_id)
    if member.id == actor.id:
        raise Conflict(_l("Vous ne pouvez pas désactiver votre propre compte."), code="self")
    if member.deactivated_at is not None:
        return member
    with change() as c:
        member = _get_member(member_id)
        member.deactivated_at = utcnow()
        c.trace(actor, "member_deactivated", member, member_id=member.id)
        sessions.end_all(member.id, during=c)
    close_connections(member_room(member_id))
    return member


def reactivate(actor, member_id):
    require(permissions.can_manage_members(actor))
    member = _get_member(member_id)
    if member.deactivated_at is None:
        return member
    if member.erased_at is not None:  # meeting/privacy: an erased account never comes back
        raise Conflict(_l("Ce compte a été effacé : il ne peut pas être réactivé."), code="erased")
    with change() as c:
        member = _get_member(member_id)
        member.deactivated_at = None
        c.trace(actor, "member_reactivated", member, member_id=member.id)
    return member


def update_profile(actor, display_name, email):
    """Change one's own displayed name and e-mail address."""
    require(permissions.can_edit_profile(actor, actor))
    display_name = clean_name(display_name)
    email = clean_email(email, exclude_id=actor.id)
    old_name = actor.display_name
    if display_name == old_name and email == actor.email:
        return actor
    with change() as c:
        member = _get_member(actor.id)
        member.display_name = display_name
        member.email = email
        # The former name is not kept in the trace: it would survive an erasure.
        c.trace(member, "profile_updated", member, renamed=display_name != old_name)
    return member


def change_password(actor, current, new, keep_sid=None):
    """Change one's own password after checking the current one (not traced): every session of
    the member ends but `keep_sid`'s (the browser where it was changed stays signed in)."""
    require(permissions.can_edit_profile(actor, actor))
    if not actor.password_hash or not check_password_hash(actor.password_hash, current or ""):
        raise ServiceError(_l("Le mot de passe actuel est incorrect."), code="bad_credentials")
    new = clean_password(new)
    with change() as c:
        _get_member(actor.id).password_hash = hash_password(new)
        sessions.end_all(actor.id, keep_sid=keep_sid, during=c)


def list_members():
    return db.session.scalars(
        select(Member)
        .where(Member.is_system.is_(False))  # the public form's author is not a member
        .order_by(Member.deactivated_at.is_not(None), Member.display_name)
    ).all()


def pending_invitations():
    return db.session.scalars(
        select(Invitation)
        .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()
