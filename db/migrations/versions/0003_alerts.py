"""Alerting: subscriptions (filters, delivery mode, high-water mark over change events), the
outbox of deliveries, and source health incidents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Written by hand to match ``db/schema.py`` (the migration test compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBSCRIPTION_CHANNELS = ("email", "webhook", "feed")
SUBSCRIPTION_MODES = ("immediate", "daily", "weekly")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")
HEALTH_KINDS = ("failing", "empty", "parse_failures")


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        _ts("digest_slot", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint(
            _one_of("channel", SUBSCRIPTION_CHANNELS), name=op.f("ck_subscriptions_channel")
        ),
        sa.CheckConstraint(_one_of("mode", SUBSCRIPTION_MODES), name=op.f("ck_subscriptions_mode")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("name", name=op.f("uq_subscriptions_name")),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("next_attempt_at"),
        _ts("last_attempt_at", nullable=True),
        _ts("sent_at", nullable=True),
        sa.Column("transport", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            _one_of("status", DELIVERY_STATUSES), name=op.f("ck_alert_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_alert_deliveries_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_deliveries_dedupe_key")),
    )
    op.create_index(
        op.f("ix_alert_deliveries_subscription_id"), "alert_deliveries", ["subscription_id"]
    )
    op.create_index(
        "ix_alert_deliveries_status_next_attempt_at",
        "alert_deliveries",
        ["status", "next_attempt_at"],
    )
    op.create_table(
        "health_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        _ts("opened_at"),
        sa.Column("opened_run_id", sa.Integer(), nullable=True),
        _ts("resolved_at", nullable=True),
        sa.Column("resolved_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(_one_of("kind", HEALTH_KINDS), name=op.f("ck_health_incidents_kind")),
        sa.ForeignKeyConstraint(
            ["opened_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_health_incidents_opened_run_id_crawl_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_health_incidents_resolved_run_id_crawl_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_incidents")),
    )
    op.create_index("ix_health_incidents_source_kind", "health_incidents", ["source", "kind"])


def downgrade() -> None:
    op.drop_table("health_incidents")
    op.drop_table("alert_deliveries")
    op.drop_table("subscriptions")
