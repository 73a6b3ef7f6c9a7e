"""Which proxies may say where a request came from.

`X-Forwarded-For`, `-Proto`, `-Host`, `-Port`, `-Prefix` (and `Forwarded`) are honoured only
when `PROXY_COUNT` is set and the request's peer is one of `TRUSTED_PROXIES` (addresses or
networks, `127.0.0.1,::1` by default: nginx on the same machine). From anywhere else they are
removed before anything reads them: the sign-in rate limit, the links of e-mails and fragments,
the socket's origin check. So a client that reaches the app server directly cannot pretend to
come from another address, host or sub-path.

When the configuration and the requests disagree (forwarded headers with `PROXY_COUNT=0`, or
from a peer that is not trusted), one warning says so, once per process (and per peer)."""

import ipaddress
import logging

from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

FORWARDED = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)
MAX_WARNED_PEERS = 100


class SettingError(ValueError):
    """A TRUSTED_PROXIES entry that is no address or network."""


def parse_networks(value):
    """`"127.0.0.1, ::1, 10.0.0.0/8"` → networks; a bad entry raises SettingError (French)."""
    entries = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    networks = []
    for entry in entries:
        entry = str(entry).strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise SettingError(
                f"TRUSTED_PROXIES : « {entry} » n’est ni une adresse IP ni un réseau "
                "(exemple : 127.0.0.1,::1,10.0.0.0/8)."
            ) from None
    return networks


def proxy_fix(wsgi_app, count):
    """ProxyFix trusting `count` proxies for every forwarded header (the app's inner layer)."""
    return ProxyFix(wsgi_app, x_for=count, x_proto=count, x_host=count, x_prefix=count)


class TrustedProxies:
    """The outermost WSGI layer: drop forwarded headers that no trusted proxy wrote."""

    def __init__(self, wsgi_app, count, networks):
        self.wsgi_app = wsgi_app
        self.count = count
        self.networks = list(networks)
        self.warned = set()

    def trusts(self, peer):
        try:
            address = ipaddress.ip_address((peer or "").split("%")[0])
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        present = [key for key in FORWARDED if key in environ]
        if present:
            peer = environ.get("REMOTE_ADDR") or ""
            if not self.count:
                self.warn_once(
                    "no-proxy",
                    "Des requêtes arrivent avec des en-têtes de proxy (%s) alors que "
                    "PROXY_COUNT=0 : ils sont ignorés, et les liens perdront le sous-chemin ou "
                    "l’adresse publique. Derrière nginx, réglez PROXY_COUNT=1.",
                    ", ".join(_header_name(key) for key in present),
                )
                _drop(environ, present)
            elif not self.trusts(peer):
                self.warn_once(
                    peer,
                    "En-têtes de proxy reçus de %s, qui n’est pas dans TRUSTED_PROXIES : "
                    "ignorés (l’adresse, l’hôte et le sous-chemin restent ceux de la "
                    "connexion).",
                    peer or "?",
                )
                _drop(environ, present)
        return self.wsgi_app(environ, start_response)

    def warn_once(self, key, message, *args):
        if key in self.warned or len(self.warned) >= MAX_WARNED_PEERS:
            return
        self.warned.add(key)
        log.warning(message, *args)


def _header_name(key):
    return "-".join(part.capitalize() for part in key[len("HTTP_") :].split("_"))


def _drop(environ, keys):
    for key in keys:
        environ.pop(key, None)


def wrap(app):
    """Put the trust rule around everything the app serves, Socket.IO included (call after
    `socketio.init_app`, whose middleware would otherwise see the headers first)."""
    app.wsgi_app = TrustedProxies(
        app.wsgi_app, app.config["PROXY_COUNT"], parse_networks(app.config["TRUSTED_PROXIES"])
    )
