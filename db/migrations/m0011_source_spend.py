"""Version 11: what a lead source cost is kept per month (``source_spend``), not as one number.

Why: cost per lead, cost per win and return on spend are figures *of a period*; a single
``lead_source.cost`` cannot say which quarter a campaign's money belongs to.

The old single cost was the source's cost over the leads it brought in so far (that is how
the demo and every figure before this version read it). It is spread over the months in
which the source's deals were created, in proportion to how many were created in each, so
cost per lead in any of those months equals the old cost ÷ the old lead count, and the
months sum to the old cost exactly (the cents left over by rounding go to the last month).
A source with a cost but no deals keeps it in the month of the migration. The column is then
dropped: one place holds spend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal

from peewee import BigIntegerField, DateField, ForeignKeyField, Model


def apply(db) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class LeadSource(Base):
        class Meta:
            table_name = "lead_source"

    class SourceSpend(Base):
        source = ForeignKeyField(LeadSource, on_delete="CASCADE", index=False)
        month = DateField()  # the first day of the month
        amount = BigIntegerField(default=0)  # cents

        class Meta:
            indexes = ((("source", "month"), True),)

    db.create_tables([SourceSpend])
    costs = db.execute_sql("SELECT id, cost FROM lead_source WHERE cost > 0").fetchall()
    for source_id, cost in costs:
        created = db.execute_sql(
            f"SELECT created_at FROM deal WHERE source_id = {db.param}", (source_id,)
        ).fetchall()
        per_month: dict[date, int] = {}
        for (stamp,) in created:
            moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp)
            key = date(moment.year, moment.month, 1)
            per_month[key] = per_month.get(key, 0) + 1
        if not per_month:
            today = datetime.now(UTC).date()
            per_month = {date(today.year, today.month, 1): 1}
        for month, cents in _spread(int(cost), per_month).items():
            db.execute_sql(
                f"INSERT INTO source_spend (source_id, month, amount) "
                f"VALUES ({db.param}, {db.param}, {db.param})",
                (source_id, month, cents),
            )
    db.execute_sql("ALTER TABLE lead_source DROP COLUMN cost")


def _spread(cents: int, weights: dict[date, int]) -> dict[date, int]:
    """``cents`` split in proportion to ``weights`` (whole cents, rounded down), the
    remainder on the last month so the parts sum to ``cents``."""
    total = sum(weights.values())
    months = sorted(weights)
    parts = {m: int((Decimal(cents) * weights[m] / total).to_integral_value(ROUND_DOWN))
             for m in months}
    parts[months[-1]] += cents - sum(parts.values())
    return parts
