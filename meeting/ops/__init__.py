"""Running the place in production: the server command (`vendredi-serve`), logs with time and
level, the health check, which proxies are trusted for `X-Forwarded-*`, a message queue that
survives Redis going away, and the self-hoster's commands (`flask send-test-mail`).

`install(app)` wires what the app factory needs; `deploy/` holds the files around it (nginx,
systemd, the environment template)."""


def install(app):
    """Logs, the health route and the commands; the proxy rule is `proxies.wrap` (outermost)."""
    from . import cli, health, logs

    logs.install(app)
    app.register_blueprint(health.bp)
    cli.register(app)
