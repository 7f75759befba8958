"""CLI commands for alerting: subscriptions, the notify step, the outbox, feeds and cron.

Registered on the main Typer app by ``regwatch.cli`` (``register(app)``); a thin skin over the
``alerts`` package, whose errors become one-line CLI errors here.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from regwatch import output
from regwatch.cli import CsvOpt, FormatOpt, JsonOpt, TableOpt, _fmt, _settings, err
from regwatch.config import Settings
from regwatch.errors import LockHeld, RegwatchError
from regwatch.output import Format

SUBSCRIPTION_COLUMNS = ("name", "channel", "target", "mode", "filters", "last_event_id")
OUTBOX_COLUMNS = (
    "id",
    "status",
    "attempts",
    "target",
    "subject",
    "created_at",
    "sent_at",
    "last_error",
)
ListOpt = list[str] | None


@contextmanager
def _errors() -> Iterator[None]:
    """Library errors → one line on stderr and exit 2 (75 when the run lock is held)."""
    from alerts import AlertError

    try:
        yield
    except LockHeld as exc:
        err.print(f"[yellow]{exc}[/]")
        raise typer.Exit(75) from exc
    except (AlertError, RegwatchError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _sessions(settings: Settings) -> Any:
    from regwatch.pipeline import open_db

    return open_db(settings)


def _now() -> Any:
    from db.types import utcnow

    return utcnow()


def subscribe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Subscription name (letters, digits, . _ -).")],
    email: Annotated[str | None, typer.Option(help="Send emails to this address.")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST signed JSON to this URL.")] = None,
    mode: Annotated[str, typer.Option(help="immediate, daily or weekly.")] = "immediate",
    hour: Annotated[int, typer.Option(help="Digest hour (0-23) in --timezone.")] = 8,
    weekday: Annotated[str, typer.Option(help="Weekly digest day: mon … sun.")] = "mon",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the digest hour.")] = "UTC",
    kind: Annotated[ListOpt, typer.Option("--kind", help="Change-event kind (repeatable).")] = None,
    doc_kind: Annotated[
        ListOpt, typer.Option("--doc-kind", help="announcement, entity_list …")
    ] = None,
    issuer: Annotated[
        ListOpt, typer.Option("--issuer", help="Issuing body, e.g. 海关总署.")
    ] = None,
    code: Annotated[
        ListOpt, typer.Option("--code", help="Control-code prefix, e.g. 3A or 1C902.")
    ] = None,
    element: Annotated[
        ListOpt, typer.Option("--element", help="Element symbol or name: Ga, 镓.")
    ] = None,
    entity_list: Annotated[
        ListOpt, typer.Option("--entity-list", help="unreliable_entity …")
    ] = None,
    keyword: Annotated[
        ListOpt, typer.Option("--keyword", help="Word(s) to look for, e.g. 稀土.")
    ] = None,
    replay: Annotated[
        bool, typer.Option(help="Start from the first stored event instead of the newest.")
    ] = False,
) -> None:
    """Create or update a subscription (no email/webhook: a feed-only filter)."""
    from alerts import Filters, SubscriptionSpec
    from alerts.schedule import weekday_number
    from alerts.subscriptions import subscribe as add

    with _errors():
        if email and webhook:
            raise RegwatchError("give --email or --webhook, not both")
        filters = Filters.from_dict(
            {
                "event_kinds": kind or [],
                "doc_kinds": doc_kind or [],
                "issuers": issuer or [],
                "codes": code or [],
                "elements": element or [],
                "entity_lists": entity_list or [],
                "keywords": keyword or [],
            }
        )
        spec = SubscriptionSpec(
            name=name,
            channel="email" if email else "webhook" if webhook else "feed",
            target=email or webhook,
            filters=filters,
            mode=mode,
            digest_hour=hour,
            digest_weekday=weekday_number(weekday),
            timezone=timezone,
        )
        with _sessions(_settings(ctx))() as s:
            row, fresh = add(s, spec, now=_now(), start_after=0 if replay else None)
            s.commit()
    err.print(f"{'subscribed' if fresh else 'updated'} {row.name}: {filters.describe()}")


def unsubscribe(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Subscription name.")]
) -> None:
    """End a subscription and cancel what it still had waiting in the outbox."""
    from alerts.subscriptions import unsubscribe as end

    with _sessions(_settings(ctx))() as s:
        done = end(s, name, now=_now())
        s.commit()
    if not done:
        err.print(f"[red]error:[/] no active subscription {name!r}")
        raise typer.Exit(1)
    err.print(f"unsubscribed {name}")


def subscriptions(
    ctx: typer.Context,
    import_file: Annotated[
        Path | None,
        typer.Option("--import", exists=True, dir_okay=False, help="TOML file to apply first."),
    ] = None,
    prune: Annotated[
        bool, typer.Option(help="With --import: end subscriptions the file does not name.")
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include ended subscriptions.")] = False,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """List subscriptions; --import FILE applies a subscriptions file (configuration as code)."""
    from alerts import subscriptions as subs

    sessions = _sessions(_settings(ctx))
    if import_file is not None:
        with _errors(), sessions() as s:
            report = subs.import_file(s, import_file, now=_now(), prune=prune)
            s.commit()
        err.print(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"ended {len(report.removed)}"
        )
    with sessions() as s:
        rows = subs.listing(s, include_inactive=all_)
    output.emit(rows, _fmt(fmt, as_json, as_csv, as_table), SUBSCRIPTION_COLUMNS, "subscriptions")


def notify(
    ctx: typer.Context,
    run_id: Annotated[
        int | None, typer.Option("--run", help="Judge this run's sources (default: latest).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(help="Write .eml/.json files to mail_dir (default <data dir>/outbox)."),
    ] = False,
) -> None:
    """Queue and send what subscribers are due, retry the outbox, check source health."""
    from alerts import notify as run_notify
    from regwatch.alerting import alert_config
    from regwatch.lock import run_lock

    settings = _settings(ctx)
    with _errors(), run_lock(settings.lock_path):
        config = alert_config(settings, dry_run=dry_run)
        report = run_notify(_sessions(settings), config, run_id=run_id)
    err.print(
        f"notify: {report.line()}" + (f" (files in {config.mail_dir})" if config.mail_dir else "")
    )
    raise typer.Exit(1 if report.delivery.failed else 0)


def outbox(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="Only rows in this state: pending, sending, sent, failed.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 50,
    retry: Annotated[
        int | None, typer.Option(help="Put this failed delivery back in the queue.")
    ] = None,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """Deliveries in the outbox, newest first (state, attempts, last error)."""
    from sqlalchemy import select

    from db.schema import Delivery

    with _sessions(_settings(ctx))() as s:
        if retry is not None:
            row = s.get(Delivery, retry)
            if row is None or row.status != "failed":
                err.print(f"[red]error:[/] delivery {retry} is not a failed delivery")
                raise typer.Exit(1)
            row.status, row.attempts, row.next_attempt_at = "pending", 0, _now()
            s.commit()
            err.print(f"delivery {retry} queued again")
        query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
        if status:
            query = query.where(Delivery.status == status)
        rows = [
            {c: getattr(d, c) for c in OUTBOX_COLUMNS} | {"message_id": d.message_id}
            for d in s.scalars(query)
        ]
    output.emit(rows, _fmt(fmt, as_json, as_csv, as_table), OUTBOX_COLUMNS, "outbox")


def _feed_bytes(settings: Settings, name: str | None, limit: int, self_url: str | None) -> bytes:
    from alerts import Filters
    from alerts.feed import feed_xml
    from alerts.subscriptions import get

    with _sessions(settings)() as s:
        filters = Filters()
        if name and name != "all":
            sub = get(s, name)
            if sub is None:
                raise RegwatchError(f"no subscription {name!r}")
            filters = Filters.from_dict(sub.filters)
        return feed_xml(s, name=name or "all", filters=filters, limit=limit, self_url=self_url)


def feed(
    ctx: typer.Context,
    subscription: Annotated[
        str | None, typer.Option(help="Use this subscription's filters (default: everything).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 50,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
) -> None:
    """Print an Atom feed of change events (a static export: regwatch feed > feed.xml)."""
    with _errors():
        data = _feed_bytes(_settings(ctx), subscription, limit, None)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="0 picks a free port.")] = 8080,
) -> None:
    """Serve Atom feeds at /feeds/NAME.xml (a subscription's filters; all.xml: everything)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings = _settings(ctx)

    class Feeds(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            name = path.removeprefix("/feeds/").removesuffix(".xml")
            if not path.startswith("/feeds/") or not path.endswith(".xml"):
                self.send_error(404)
                return
            try:
                url = f"http://{self.headers.get('Host', '')}{path}"
                body = _feed_bytes(settings, name, 50, url)
            except RegwatchError:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Feeds)
    print(f"FEEDS_URL=http://{host}:{server.server_address[1]}/feeds/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def cron(
    ctx: typer.Context,
    every: Annotated[str, typer.Option(help="Interval: 15m, 30m, 1h, 6h …")] = "30m",
    user: Annotated[str | None, typer.Option(help="systemd User= (default: you).")] = None,
) -> None:
    """Print a crontab line and a systemd service + timer that run `regwatch run`."""
    from regwatch import compiled
    from regwatch import cron as text

    settings = _settings(ctx)
    with _errors():
        interval = text.parse_interval(every)
    workdir = Path.cwd()
    data_dir = settings.data_dir.resolve()
    log_file = (settings.log_file or data_dir / "regwatch.log").resolve()
    given = ctx.find_root().params.get("config")
    config = Path(given).resolve() if given else None
    script = Path(sys.executable).absolute().with_name("regwatch")  # the venv's entry point
    program = [str(script)] if script.exists() else [sys.executable, "-m", "regwatch"]
    # the compiled parsers when they were built here (a stale build is never used: see compiled)
    build = compiled.BUILD_DIR
    env = {"PYTHONPATH": str(build)} if (build / "parsers").is_dir() else None
    command = text.command_line(program, config, data_dir, log_file, env)
    typer.echo("# crontab -e")
    typer.echo(text.crontab_line(interval, command, workdir))
    typer.echo("")
    typer.echo(text.systemd_units(interval, command, workdir, user or getpass.getuser()))


def print_health(settings: Settings) -> None:
    """Open source-health incidents and outbox trouble, for `regwatch status` (stderr)."""
    from sqlalchemy import func, select

    from alerts.health import open_incidents
    from db.schema import Delivery

    with _sessions(settings)() as s:
        incidents = open_incidents(s)
        counts = dict(
            s.execute(
                select(Delivery.status, func.count())
                .where(Delivery.status.in_(("pending", "sending", "failed")))
                .group_by(Delivery.status)
            ).all()
        )
    for i in incidents:
        since = i.opened_at.strftime("%Y-%m-%d %H:%M")
        err.print(f"[red]health:[/] {i.summary} (since {since} UTC, run {i.opened_run_id})")
    if not incidents:
        err.print("health: every source well")
    if counts:
        err.print("outbox: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


def register(app: typer.Typer) -> None:
    """Add the alerting commands to the main CLI."""
    for command in (subscribe, unsubscribe, subscriptions, notify, outbox, feed, serve, cron):
        app.command()(command)
