"""The alerting commands: subscriptions, notify --dry-run, outbox, feeds, serve, cron, status."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

import db
from regwatch import compiled
from regwatch.cli import app
from regwatch.config import load_settings
from regwatch.errors import ConfigError
from tests.alerts import factory

ATOM = "{http://www.w3.org/2005/Atom}"


def _cli(data_dir: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])


def _seed(data_dir: Path) -> None:
    """A migrated database with announcements 58 and 70 and their change events."""
    engine = db.connect(f"sqlite:///{data_dir / 'regwatch.db'}")
    db.upgrade(engine)
    with db.session_factory(engine)() as s:
        run_id = factory.run(s)
        a58, _ = factory.announcement_58(s, run_id)
        factory.announcement_70(s, run_id, suspended=a58)
        s.commit()
    engine.dispose()


def test_subscribe_list_update_unsubscribe(tmp_path: Path) -> None:
    r = _cli(
        tmp_path,
        "subscribe",
        "batteries",
        "--email",
        "b@example.com",
        "--code",
        "3a",
        "--keyword",
        "锂电池",
        "--mode",
        "daily",
        "--hour",
        "7",
        "--timezone",
        "Asia/Shanghai",
    )
    assert r.exit_code == 0, r.output
    assert "subscribed batteries: codes=3A; keywords=锂电池" in r.output
    rows = _cli(tmp_path, "subscriptions", "--json").output
    assert '"mode": "daily 07:00 Asia/Shanghai"' in rows and '"target": "b@example.com"' in rows
    r = _cli(tmp_path, "subscribe", "batteries", "--email", "b@example.com", "--code", "3C")
    assert "updated batteries: codes=3C" in r.output
    assert _cli(tmp_path, "unsubscribe", "batteries").exit_code == 0
    assert _cli(tmp_path, "subscriptions", "--json").output.strip().endswith("[]")
    r = _cli(tmp_path, "unsubscribe", "batteries")
    assert r.exit_code == 1 and "no active subscription" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not an address"], "not a plain email address"),
        (["--email", "a@example.com", "--webhook", "https://h.example.com"], "not both"),
        (["--kind", "document_eaten"], "unknown value(s) document_eaten"),
        (["--mode", "daily", "--timezone", "Nowhere/City"], "unknown time zone"),
    ],
)
def test_bad_subscription_is_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    r = _cli(tmp_path, "subscribe", "x", *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_import_file(tmp_path: Path) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(
        '[subscriptions.uel]\nwebhook = "https://h.example.com/x"\n'
        'entity_lists = ["unreliable_entity"]\n',
        encoding="utf-8",
    )
    r = _cli(tmp_path, "subscriptions", "--import", str(path), "--json")
    assert r.exit_code == 0 and "created 1, updated 0, ended 0" in r.output
    assert '"filters": "entity_lists=unreliable_entity"' in r.output


def test_notify_dry_run_writes_eml_files_and_outbox_lists_them(tmp_path: Path) -> None:
    assert _cli(tmp_path, "subscribe", "team", "--email", "team@example.com").exit_code == 0
    _seed(tmp_path)
    r = _cli(tmp_path, "notify", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "queued 1, sent 1" in r.output
    [eml] = (tmp_path / "outbox").glob("*.eml")
    raw = eml.read_bytes()
    assert b"Subject: [regwatch] MOFCOM/GAC Announcement No. 58 of 2025" in raw
    assert b"(+1 more document)" in raw
    listed = _cli(tmp_path, "outbox", "--json")
    assert '"status": "sent"' in listed.output and '"target": "team@example.com"' in listed.output
    r = _cli(tmp_path, "outbox", "--retry", "1")
    assert r.exit_code == 1 and "not a failed delivery" in r.output
    again = _cli(tmp_path, "notify", "--dry-run")
    assert "queued 0, sent 0" in again.output


def test_a_failed_delivery_can_be_queued_again(tmp_path: Path) -> None:
    _cli(tmp_path, "subscribe", "team", "--email", "team@example.com")
    _seed(tmp_path)
    assert "queued 1, sent 0, waiting 1" in _cli(tmp_path, "notify").output  # no relay set
    _cli(tmp_path, "unsubscribe", "team")  # cancels it: failed
    assert '"status": "failed"' in _cli(tmp_path, "outbox", "--json").output
    r = _cli(tmp_path, "outbox", "--retry", "1", "--status", "pending", "--json")
    assert r.exit_code == 0 and "delivery 1 queued again" in r.output
    assert '"status": "pending"' in r.output
    assert "outbox: 1 pending" in _cli(tmp_path, "status", "--json").output


def test_feed_export_and_serve(tmp_path: Path) -> None:
    _seed(tmp_path)
    _cli(tmp_path, "subscribe", "suspensions", "--kind", "measure_suspended")
    out = tmp_path / "feed.xml"
    assert _cli(tmp_path, "feed", "--subscription", "suspensions", "-o", str(out)).exit_code == 0
    root = etree.fromstring(out.read_bytes())
    terms = [e.find(f"{ATOM}category").get("term") for e in root.iter(f"{ATOM}entry")]
    assert terms == ["measure_suspended"]
    r = _cli(tmp_path, "feed", "--subscription", "nope")
    assert r.exit_code == 2 and "no subscription 'nope'" in r.output

    env = {k: v for k, v in os.environ.items() if not k.startswith("REGWATCH_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "regwatch", "--data-dir", str(tmp_path), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip().removeprefix("FEEDS_URL=")
        with urllib.request.urlopen(base + "all.xml", timeout=30) as resp:
            assert resp.headers["Content-Type"].startswith("application/atom+xml")
            served = etree.fromstring(resp.read())
        assert len(served.findall(f"{ATOM}entry")) == 5
        with urllib.request.urlopen(base + "suspensions.xml", timeout=30) as resp:
            assert len(etree.fromstring(resp.read()).findall(f"{ATOM}entry")) == 1
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(base + "nope.xml", timeout=30)
        assert info.value.code == 404
        info.value.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def test_cron_prints_crontab_and_systemd_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled, "BUILD_DIR", tmp_path / "no-build")
    cfg = tmp_path / "regwatch.toml"
    cfg.write_text("", encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "--config",
            str(cfg),
            "--data-dir",
            str(tmp_path),
            "cron",
            "--every",
            "15m",
            "--user",
            "regwatch",
        ],
    )
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("*/15 * * * * "))
    assert f"--config {cfg.resolve()}" in line and line.endswith(
        "run --no-progress >/dev/null 2>&1"
    )
    assert f"--log-file {tmp_path.resolve() / 'regwatch.log'}" in line
    assert "OnCalendar=*:0/15" in r.output and "User=regwatch" in r.output
    assert "SuccessExitStatus=3 75" in r.output
    assert "0 */6 * * *" in _cli(tmp_path, "cron", "--every", "6h").output
    bad = _cli(tmp_path, "cron", "--every", "7m")
    assert bad.exit_code == 2 and "interval '7m'" in bad.output
    assert "PYTHONPATH" not in r.output  # nothing compiled here: the sources run


def test_cron_runs_with_the_compiled_parsers_once_they_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "build" / "compiled"
    (build / "parsers").mkdir(parents=True)
    monkeypatch.setattr(compiled, "BUILD_DIR", build)
    out = _cli(tmp_path, "cron", "--every", "30m").output
    line = next(x for x in out.splitlines() if x.startswith("*/30 * * * * "))
    assert f"env PYTHONPATH={build} " in line and line.endswith("run --no-progress >/dev/null 2>&1")
    start = next(x for x in out.splitlines() if x.startswith("ExecStart="))
    assert start.startswith("ExecStart=/") and f" PYTHONPATH={build} " in start


def test_smtp_settings_keep_the_password_out_of_sight(tmp_path: Path) -> None:
    env = {
        "REGWATCH_SMTP_HOST": "smtp.example.com",
        "REGWATCH_SMTP_PORT": "465",
        "REGWATCH_SMTP_TLS": "ssl",
        "REGWATCH_SMTP_PASSWORD": "hunter2-secret",
        "REGWATCH_HEALTH_FAILED_RUNS": "4",
        "REGWATCH_MAIL_DIR": str(tmp_path),
    }
    settings = load_settings(env)
    assert settings.smtp_port == 465 and settings.health_failed_runs == 4
    assert settings.mail_dir == tmp_path
    assert "hunter2-secret" not in repr(settings)
    from regwatch.alerting import alert_config

    config = alert_config(settings)
    assert config.smtp is not None and config.smtp.password == "hunter2-secret"
    assert "hunter2-secret" not in repr(config)
    with pytest.raises(ConfigError, match="smtp_tls must be one of"):
        load_settings({"REGWATCH_SMTP_TLS": "maybe"})
