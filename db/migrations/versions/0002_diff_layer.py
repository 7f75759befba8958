"""Diff layer: instruments with their locations, append-only snapshots and change events, and
the derived control items and listed entities of each instrument's latest snapshot, and the
last computed status of each instrument's measures.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Written by hand to match ``db/schema.py`` (the migration test compares them). As in 0001,
``instruments.current_snapshot_id`` and ``instrument_snapshots.instrument_id`` refer to each
other: SQLite gets the forward reference inline, other databases an ALTER TABLE afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_SNAPSHOT_FK = "fk_instruments_current_snapshot_id_instrument_snapshots"
CHANGE_KINDS = (
    "document_added",
    "document_changed",
    "document_delisted",
    "document_restored",
    "item_added",
    "item_removed",
    "item_changed",
    "threshold_changed",
    "measure_effective",
    "measure_suspended",
    "measure_resumed",
    "measure_repealed",
    "entity_listed",
    "entity_delisted",
)
CHANGE_CAUSES = ("content", "parser", "time", "site")


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    forward = (
        [
            sa.ForeignKeyConstraint(
                ["current_snapshot_id"], ["instrument_snapshots.id"], name=op.f(CURRENT_SNAPSHOT_FK)
            )
        ]
        if sqlite
        else []
    )
    op.create_table(
        "instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("number_text", sa.Text(), nullable=True),
        sa.Column("issuers", sa.JSON(), nullable=True),
        sa.Column("doc_type", sa.String(length=16), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publish_date", sa.Date(), nullable=True),
        _ts("first_seen_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=True),
        sa.CheckConstraint("status IN ('active', 'delisted')", name=op.f("ck_instruments_status")),
        *forward,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
        sa.UniqueConstraint("key", name=op.f("uq_instruments_key")),
    )
    op.create_table(
        "instrument_locations",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        _ts("added_at"),
        sa.Column("processed_version_id", sa.Integer(), nullable=True),
        sa.Column("processed_parser", sa.String(length=32), nullable=True),
        sa.Column("processed_record_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_instrument_locations_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_instrument_locations_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_instrument_locations")),
    )
    op.create_index(
        op.f("ix_instrument_locations_instrument_id"), "instrument_locations", ["instrument_id"]
    )
    op.create_table(
        "instrument_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(length=32), nullable=False),
        sa.Column("facts_hash", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_instrument_snapshots_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_instrument_snapshots_instrument_id_instruments"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_instrument_snapshots_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_instrument_snapshots_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_snapshots")),
        sa.UniqueConstraint(
            "instrument_id", "seq", name=op.f("uq_instrument_snapshots_instrument_id_seq")
        ),
    )
    if not sqlite:
        op.create_foreign_key(
            op.f(CURRENT_SNAPSHOT_FK),
            "instruments",
            "instrument_snapshots",
            ["current_snapshot_id"],
            ["id"],
        )
    op.create_table(
        "change_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("caused_by_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        _ts("detected_at"),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("summary_zh", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.CheckConstraint(_one_of("kind", CHANGE_KINDS), name=op.f("ck_change_events_kind")),
        sa.CheckConstraint(_one_of("cause", CHANGE_CAUSES), name=op.f("ck_change_events_cause")),
        sa.ForeignKeyConstraint(
            ["caused_by_id"], ["instruments.id"], name=op.f("fk_change_events_caused_by_id_instruments")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_change_events_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_change_events_instrument_id_instruments"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_change_events_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_change_events_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_change_events_dedupe_key")),
    )
    op.create_index("ix_change_events_detected_at", "change_events", ["detected_at"])
    op.create_index("ix_change_events_run_id", "change_events", ["run_id"])
    op.create_index(op.f("ix_change_events_instrument_id"), "change_events", ["instrument_id"])
    op.create_table(
        "measure_states",
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("by_key", sa.String(length=128), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        _ts("evaluated_at"),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name=op.f("fk_measure_states_instrument_id_instruments")
        ),
        sa.PrimaryKeyConstraint("instrument_id", "scope", name=op.f("pk_measure_states")),
    )
    op.create_table(
        "control_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("clause", sa.String(length=64), nullable=True),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name=op.f("fk_control_items_instrument_id_instruments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_items")),
        sa.UniqueConstraint(
            "instrument_id", "ordinal", name=op.f("uq_control_items_instrument_id_ordinal")
        ),
    )
    op.create_index("ix_control_items_code", "control_items", ["code"])
    op.create_table(
        "listed_entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("list", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_listed_entities_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listed_entities")),
        sa.UniqueConstraint(
            "instrument_id", "ordinal", name=op.f("uq_listed_entities_instrument_id_ordinal")
        ),
    )
    op.create_index(op.f("ix_listed_entities_instrument_id"), "listed_entities", ["instrument_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(CURRENT_SNAPSHOT_FK), "instruments", type_="foreignkey")
    op.drop_table("listed_entities")
    op.drop_table("control_items")
    op.drop_table("measure_states")
    op.drop_table("change_events")
    op.drop_table("instrument_snapshots")
    op.drop_table("instrument_locations")
    op.drop_table("instruments")
