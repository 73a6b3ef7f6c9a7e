"""gunicorn settings read by `vendredi-serve` (`--config`): its own lines and the access log in
the app's shape, each with its time and level (meeting/ops/logs.py).

Read by gunicorn's master before the gevent worker patches the standard library: importing the
`meeting` package here would import ssl and friends unpatched. So the two formats are written
again here (tests/test_production.py checks they are the same as logs.py's)."""

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "vendredi": {"format": FORMAT, "datefmt": DATE_FORMAT},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "vendredi",
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}


def post_worker_init(worker):
    """The worker has loaded the app (its standard library patched by then): see
    `meeting.ops.serve.freeze_startup_objects`."""
    from meeting.ops.serve import freeze_startup_objects

    freeze_startup_objects()
