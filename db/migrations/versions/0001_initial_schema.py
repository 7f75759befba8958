"""Initial schema: sources, runs, documents with append-only versions, parsed records, fetch log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Written from ``alembic revision --autogenerate`` and reviewed by hand. Column types are spelled
with plain SQLAlchemy types (not ``db.types``) so this file never changes when the application
code does. ``documents.current_version_id`` and ``document_versions.document_id`` refer to each
other: SQLite accepts a reference to a table that does not exist yet (and cannot add one later),
other databases get the constraint with ALTER TABLE once both tables exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_VERSION_FK = "fk_documents_current_version_id_document_versions"


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=64), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed', 'interrupted')",
            name=op.f("ck_crawl_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_table(
        "crawl_state",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("source", "key", name=op.f("pk_crawl_state")),
    )
    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed')", name=op.f("ck_source_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_source_runs_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_runs")),
        sa.UniqueConstraint("run_id", "source", name=op.f("uq_source_runs_run_id_source")),
    )
    current_version_fk = (
        [
            sa.ForeignKeyConstraint(
                ["current_version_id"], ["document_versions.id"], name=op.f(CURRENT_VERSION_FK)
            )
        ]
        if sqlite
        else []
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("list_date", sa.Date(), nullable=True),
        _ts("first_seen_at"),
        _ts("last_seen_at"),
        _ts("last_fetched_at", nullable=True),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _ts("delisted_at", nullable=True),
        sa.CheckConstraint("kind IN ('article', 'annex')", name=op.f("ck_documents_kind")),
        sa.CheckConstraint("status IN ('active', 'delisted')", name=op.f("ck_documents_status")),
        *current_version_fk,
        sa.ForeignKeyConstraint(
            ["parent_id"], ["documents.id"], name=op.f("fk_documents_parent_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_documents_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_documents_canonical_url")),
    )
    op.create_index(op.f("ix_documents_parent_id"), "documents", ["parent_id"])
    op.create_index(op.f("ix_documents_source_id"), "documents", ["source_id"])
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_body", sa.LargeBinary(), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("decode_reason", sa.Text(), nullable=True),
        sa.Column("page_type", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        _ts("fetched_at"),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_versions_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_document_versions_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint(
            "document_id", "seq", name=op.f("uq_document_versions_document_id_seq")
        ),
    )
    op.create_index(
        op.f("ix_document_versions_content_hash"), "document_versions", ["content_hash"]
    )
    op.create_index(op.f("ix_document_versions_run_id"), "document_versions", ["run_id"])
    if not sqlite:
        op.create_foreign_key(
            op.f(CURRENT_VERSION_FK),
            "documents",
            "document_versions",
            ["current_version_id"],
            ["id"],
        )
    op.create_table(
        "parsed_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(length=32), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_parsed_records_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parsed_records")),
        sa.UniqueConstraint(
            "version_id",
            "parser_version",
            name=op.f("uq_parsed_records_version_id_parser_version"),
        ),
    )
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=True),
        _ts("fetched_at"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_fetch_log_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_log")),
    )
    op.create_index("ix_fetch_log_run_id", "fetch_log", ["run_id"])
    op.create_index("ix_fetch_log_source_url", "fetch_log", ["source", "url"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(CURRENT_VERSION_FK), "documents", type_="foreignkey")
    op.drop_table("fetch_log")
    op.drop_table("parsed_records")
    op.drop_table("document_versions")
    op.drop_table("documents")
    op.drop_table("source_runs")
    op.drop_table("crawl_state")
    op.drop_table("crawl_runs")
    op.drop_table("sources")
