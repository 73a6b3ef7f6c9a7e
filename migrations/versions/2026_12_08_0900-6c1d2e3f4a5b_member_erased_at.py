"""erasure: `member.erased_at`, and a closed Friday's decision may change the names of who
objected in its round result, and nothing else of it

Revision ID: 6c1d2e3f4a5b
Revises: 5b8c9d0e1f2a
Create Date: 2026-12-08 09:00:00

1. `member.erased_at` (nullable): when a member's personal data were erased (meeting/privacy).
   The row stays as the pseudonymous author of the archive ("Membre effacé·e n° 12"). One
   column added (ALTER TABLE … ADD COLUMN on both engines, no table recreated); `member` has no
   trigger of the append-only archive. `member.erased_name_key`: a keyed digest of the erased
   name, never the name, so that a published text that still names them is redacted
   (`decisions.public.erased_name_key`).

2. The append-only archive (migration 5b8c9d0e1f2a) froze a closed Friday's `decision.result`
   whole. That JSON holds the one name the archive writes down: who objected in the round
   (`{"objections": [{"name": "Inès", "reason": "…"}]}`, `live.state.round_results`). Erasure
   replaces it with the pseudonym, so the rule now refuses a change of `result` beyond the
   `name` of its objections (the same rule as the person keys of `trace.data`): counts, totals,
   reasons, the number and order of objections stay frozen. Only the decision's update rule is
   replaced, word for word the same otherwise (it is built by the earlier migration's own code):
   SQLite `archive_decision_bu0` is dropped and created again, PostgreSQL's function
   `archive_decision_guard()` is replaced (its trigger stays). Downgrade puts the strict rule
   back.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "6c1d2e3f4a5b"
down_revision = "5b8c9d0e1f2a"
branch_labels = None
depends_on = None


def _archive():
    """The append-only archive's migration module (its `_Sql`, `_rules`, `_sqlite`,
    `_postgresql`): the decision's rule is rebuilt from it, not copied."""
    path = Path(__file__).with_name("2026_12_07_0910-5b8c9d0e1f2a_append_only_archive.py")
    spec = importlib.util.spec_from_file_location("vendredi_append_only_archive", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result_changed_beyond_names(pg):
    """`result` changed in something else than the `name` of its objections."""
    if pg:
        stripped = lambda v: (
            f"(SELECT coalesce(jsonb_agg(o - 'name' ORDER BY n), '[]'::jsonb) "
            f"FROM jsonb_array_elements({v}.result::jsonb -> 'objections') "
            f"WITH ORDINALITY AS t(o, n))"
        )
        rest = lambda v: f"({v}.result::jsonb - 'objections')"
        return (
            f"({rest('OLD')} IS DISTINCT FROM {rest('NEW')} "
            f"OR {stripped('OLD')} IS DISTINCT FROM {stripped('NEW')})"
        )
    stripped = lambda v: (
        f"(SELECT json_group_array(json_remove(value, '$.name')) "
        f"FROM json_each({v}.result, '$.objections'))"
    )
    rest = lambda v: f"json_remove({v}.result, '$.objections')"
    return f"({rest('OLD')} IS NOT {rest('NEW')} OR {stripped('OLD')} IS NOT {stripped('NEW')})"


def _decision_statements(dialect, names_free):
    """The statements that (re)create the decision's guard, strict or with objection names free."""
    archive = _archive()
    pg = dialect == "postgresql"
    sql = archive._Sql(dialect)
    strict = sql.changed("result", json=True)
    rules = archive._rules(sql)

    def rules_for(_sql):
        condition = rules["decision"]["update"][0][1]
        assert condition.count(strict) == 1, "the decision's rule is not the one expected"
        if names_free:
            condition = condition.replace(strict, _result_changed_beyond_names(pg))
        return {"decision": {**rules["decision"], "update": [("decision", condition)]}}

    archive._rules = rules_for
    built = archive._postgresql() if pg else archive._sqlite()
    if pg:  # the function only: its trigger (and the TRUNCATE one) stay
        return [
            s for s in built if s.startswith("CREATE OR REPLACE FUNCTION archive_decision_guard")
        ]
    update = [s for s in built if s.startswith("CREATE TRIGGER archive_decision_bu0 ")]
    return ["DROP TRIGGER IF EXISTS archive_decision_bu0", *update]


def _replace_decision_rule(names_free):
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"append-only archive: no triggers for {dialect}")
    statements = _decision_statements(dialect, names_free)
    assert len(statements) == (1 if dialect == "postgresql" else 2)
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.add_column("member", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.add_column("member", sa.Column("erased_name_key", sa.String(80), nullable=True))
    _replace_decision_rule(names_free=True)


def downgrade():
    _replace_decision_rule(names_free=False)
    # ALTER TABLE … DROP COLUMN on both engines (SQLite ≥ 3.35): no table recreated, so the
    # rows that refer to members keep their foreign keys.
    op.drop_column("member", "erased_name_key")
    op.drop_column("member", "erased_at")
