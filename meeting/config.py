"""Settings read from the environment, with safe defaults; nothing here raises at import."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value, default=False):
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def instance_secret_key(instance_path):
    """Return the secret key kept in `instance/secret_key`, making it once if missing."""
    path = Path(instance_path) / "secret_key"
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Exclusive create: two processes starting together keep the first key.
    try:
        with open(path, "x") as handle:
            handle.write(key)
        os.chmod(path, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key


def from_environment(instance_path):
    """Build the configuration mapping for one app from `os.environ`."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "vendredi.sqlite3")
    database_url = env.get("DATABASE_URL") or default_db
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    https = _bool(env.get("HTTPS"))
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret_key(instance_path),
        # Several processes or machines must share one key (see `check`): set, not made here.
        "SECRET_KEY_SET": bool(env.get("SECRET_KEY")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Live meetings run many short commands at once (threading mode: one thread each).
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "pool_size": _int(env.get("DB_POOL_SIZE"), 10),
            "max_overflow": _int(env.get("DB_POOL_OVERFLOW"), 30),
        },
        # SQLite: FULL writes every commit to the disk before its ack, so an acknowledged change
        # survives a power loss too; NORMAL (faster, see bench/sqlite_sync.py) survives a crash
        # of the process only (meeting/storage.py, docs/architecture.md).
        "SQLITE_SYNCHRONOUS": (env.get("SQLITE_SYNCHRONOUS") or "FULL").strip().upper(),
        # SQLite: how long a write waits for another's lock before answering « réessayez »
        # (503, or a `busy` ack the page retries: meeting/faults.py), in milliseconds.
        "SQLITE_BUSY_TIMEOUT_MS": _int(env.get("SQLITE_BUSY_TIMEOUT_MS"), 10_000),
        # PostgreSQL: the same for a lock held by another transaction (`lock_timeout`).
        "POSTGRESQL_LOCK_TIMEOUT_MS": _int(env.get("POSTGRESQL_LOCK_TIMEOUT_MS"), 10_000),
        # Sessions: "rester connecté" makes the session permanent for 30 days.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # HTTPS (behind nginx with TLS): cookies only over HTTPS, links in https://, and
        # Strict-Transport-Security on every response (meeting/__init__.py). Off by default,
        # for a laptop on http://localhost.
        "HTTPS": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": env.get("SESSION_COOKIE_NAME", "vendredi_session"),
        # Flask-Login's "remember me" cookie (unused today: sessions are made permanent
        # instead), with the same flags should it ever be set.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        # Babel: French first, English second, Europe/Paris.
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Europe/Paris"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "meeting" / "translations"),
        "LANGUAGES": ["fr", "en"],
        # Mail (magic links, invitations). Without MAIL_SERVER, no mail is sent.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int(env.get("MAIL_PORT"), 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "vendredi@localhost"),
        "MAIL_TIMEOUT": _int(env.get("MAIL_TIMEOUT"), 10),
        # The place's public base URL, sub-path included (`https://le97.example/vendredi`),
        # optional: links in e-mails and in live fragments (see realtime.render_context).
        # Without it, the address the page was reached at (as the trusted proxies tell it).
        "PUBLIC_URL": env.get("PUBLIC_URL", "").strip(),
        # Real time: same origin only; a message queue for several processes.
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE") or "threading",
        # Largest command payload accepted (bytes of JSON), answered with a French error.
        "LIVE_MAX_PAYLOAD": _int(env.get("LIVE_MAX_PAYLOAD"), 100_000),
        # Largest HTTP request body (bytes): above it, the French 413 page.
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_CONTENT_LENGTH"), 1_000_000),
        # Rate limits (Flask-Limiter); storage may be redis://… with several processes.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Redis away: limits go on in this process's memory (one warning), then back to Redis.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGNIN_RATE_LIMIT": env.get("SIGNIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "MAGIC_LINK_RATE_LIMIT": env.get("MAGIC_LINK_RATE_LIMIT", "5 per 15 minutes"),
        "JOIN_RATE_LIMIT": env.get("JOIN_RATE_LIMIT", "10 per minute;60 per hour"),
        # The public proposal form (`/proposer`, no account), per address.
        "PUBLIC_PROPOSAL_RATE_LIMIT": env.get("PUBLIC_PROPOSAL_RATE_LIMIT", "5 per hour"),
        # Wrong passwords per account (its e-mail, whatever the address), a moving window: past
        # it, only the e-mail link signs in until the oldest failure leaves the window.
        "SIGNIN_ACCOUNT_RATE_LIMIT": env.get("SIGNIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        # Socket commands per member (all their pages) or per address: a burst, then so many
        # per second (meeting/limits.py). An outbox of 20 entries or a reordered agenda stays
        # well below.
        "SOCKET_COMMAND_BURST": _int(env.get("SOCKET_COMMAND_BURST"), 60),
        "SOCKET_COMMAND_RATE": _int(env.get("SOCKET_COMMAND_RATE"), 5),
        # Creating commands (entries, proposals, decisions, gifts, tokens…) through a form or
        # the API, per member.
        "FORM_CREATE_RATE_LIMIT": env.get("FORM_CREATE_RATE_LIMIT", "60 per minute;600 per hour"),
        # The weekly meeting: day (0 = Monday … 4 = Friday) and hours, Europe/Paris.
        "MEETING_WEEKDAY": _int(env.get("MEETING_WEEKDAY"), 4),
        "MEETING_START": env.get("MEETING_START", "12:00"),
        "MEETING_END": env.get("MEETING_END", "14:00"),
        # Passwords: werkzeug's scrypt by default.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "INVITATION_DAYS": _int(env.get("INVITATION_DAYS"), 14),
        "MAGIC_LINK_MINUTES": _int(env.get("MAGIC_LINK_MINUTES"), 15),
        "WTF_CSRF_TIME_LIMIT": None,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Behind a reverse proxy (nginx): number of proxies to trust for X-Forwarded-*.
        "PROXY_COUNT": _int(env.get("PROXY_COUNT"), 0),
        # …and only from these peers (addresses or networks, comma-separated): from anywhere
        # else X-Forwarded-* is dropped (meeting/ops/proxies.py).
        "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or "127.0.0.1,::1",
        # App logs on standard error, with time and level (meeting/ops/logs.py).
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Backups (meeting/ops/backup.py): where (mode 0700), how many are kept, and whether a
        # Friday going live makes one (unset: yes when BACKUP_DIR is writable).
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(Path(instance_path) / "backups"),
        "BACKUP_KEEP": _int(env.get("BACKUP_KEEP"), 14),
        "BACKUP_ON_START": _bool(env.get("BACKUP_ON_START"), None),
    }


class ConfigurationError(RuntimeError):
    """A configuration Vendredi refuses to start with; the message says what to change."""


def several_processes(config):
    """True when the configuration says several processes (or machines) share the place: a
    message queue between them, or rate limits kept outside this process."""
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    return bool(config.get("SOCKETIO_MESSAGE_QUEUE")) or not storage.startswith("memory://")


def check(config):
    """Refuse, in French, a configuration that would break in production (ConfigurationError)."""
    from .ops.proxies import SettingError, parse_networks

    if several_processes(config) and not config.get("SECRET_KEY_SET"):
        raise ConfigurationError(
            "SECRET_KEY doit être réglé explicitement quand plusieurs processus ou machines "
            "servent le lieu (SOCKETIO_MESSAGE_QUEUE ou RATELIMIT_STORAGE_URI est réglé) : "
            "sinon chacun fabrique sa propre clé et les sessions se perdent d’un processus à "
            "l’autre. Mettez la même valeur partout, par exemple celle de : "
            'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    from .storage import SYNCHRONOUS_MODES

    if config.get("SQLITE_SYNCHRONOUS", "FULL") not in SYNCHRONOUS_MODES:
        raise ConfigurationError(
            "SQLITE_SYNCHRONOUS doit valoir FULL (par défaut : une modification confirmée "
            "survit à une coupure de courant) ou NORMAL (plus rapide : elle survit à l’arrêt "
            "brutal du processus, pas à celui de la machine)."
        )
    try:
        parse_networks(config.get("TRUSTED_PROXIES"))
    except SettingError as error:
        raise ConfigurationError(str(error)) from None
