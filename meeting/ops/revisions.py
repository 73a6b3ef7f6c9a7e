"""The migrations' revisions, read from their files without Alembic (meeting/migrating.py: a
serving process never imports it). Each file of `migrations/versions` names its `revision` and
its `down_revision` (None, one id, or a tuple of ids for a merge); the heads are the revisions
no other one comes down from. tests/test_storage.py checks this reads what Alembic reads."""

import ast
from pathlib import Path


def revisions(directory):
    """{revision: (down revisions, …)} of every migration file in `directory`/versions."""
    found = {}
    for path in sorted(Path(directory, "versions").glob("*.py")):
        names = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                names[target.id] = ast.literal_eval(node.value)
        if names.get("revision"):
            down = names.get("down_revision")
            if down is None:
                down = ()
            elif isinstance(down, str):
                down = (down,)
            found[names["revision"]] = tuple(down)
    return found


def heads(directory):
    """The revisions `flask db upgrade` leads to."""
    known = revisions(directory)
    below = {down for downs in known.values() for down in downs}
    return frozenset(known) - below
