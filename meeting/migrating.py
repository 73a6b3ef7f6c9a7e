"""Flask-Migrate, imported only where migrations are used.

Importing Flask-Migrate imports Alembic, Mako and Pygments: 11.6 MB of memory for every
serving process, which never migrates (the systemd unit and `make run` run `flask db upgrade`
in a process of their own). `LazyMigrate` registers the same `flask db` commands and the same
`app.extensions["migrate"]` as `flask_migrate.Migrate`, and imports Flask-Migrate the first time
one of them is used (a command of `flask db`, `flask_migrate.upgrade()` in a test, a backup
reading the code's revision)."""

import click


class LazyMigrate:
    """`flask_migrate.Migrate`'s `init_app`, Flask-Migrate imported on first use."""

    def init_app(self, app, db, directory, **options):
        app.extensions["migrate"] = _LazyConfig(app, db, str(directory), options)
        app.cli.add_command(_LazyCommands("db", help="Migrations de la base (Alembic)."))


class _LazyConfig:
    """What `flask_migrate` reads from `app.extensions["migrate"]`: on first use, Flask-Migrate's
    own `Migrate.init_app` puts its configuration in this one's place."""

    def __init__(self, app, db, directory, options):
        self.directory = directory  # read without Flask-Migrate (the backups)
        self._args = (app, db, directory, options)
        self._real = None

    def _load(self):
        if self._real is None:
            from flask_migrate import Migrate

            app, db, directory, options = self._args
            Migrate(db=db, directory=directory, **options).init_app(app, db, directory)
            self._real = app.extensions["migrate"]
        return self._real

    def __getattr__(self, name):
        return getattr(self._load(), name)


class _LazyCommands(click.Group):
    """The `flask db` group: once called, Flask-Migrate's own group (its options, its
    commands) takes over."""

    @staticmethod
    def _group():
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra):
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group().get_command(ctx, name)
