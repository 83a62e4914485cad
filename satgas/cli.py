"""Flask CLI: `flask --app wsgi init`, `… users create …`, `… uploads expire` and `… demo`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from models import ROLES
from satgas.errors import DomainError
from satgas.photo_storage import photo_storage
from satgas.services import uploads
from satgas.services.accounts import create_user
from satgas.services.areas import load_reference_data
from satgas.services.demo import DemoResult, holds_logs, load_demo
from storage import StorageError


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the schema, load the Kota Malang areas and prepare the photo storage (idempotent)."""
    upgrade()
    counts = load_reference_data()
    storage = photo_storage()
    try:
        storage.prepare()
    except StorageError as exc:
        raise click.ClickException(f"The photo storage {storage!r} cannot be prepared: {exc}") from None
    click.echo(f"Schema up to date; {counts['kecamatan']} kecamatan and {counts['kelurahan']} kelurahan loaded; "
               f"photo storage ready ({storage!r}).")
    if not holds_logs():
        click.echo("No work logs yet: `make demo` loads a demo month (with accounts to try the console) and serves it.")


@click.group("users")
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--crew-id", type=int, default=None)
@click.option("--kecamatan", "kecamatan_code", default=None, help="Kecamatan code, e.g. 35.73.02")
@click.password_option("--password", prompt=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(username: str, role: str, crew_id: int | None, kecamatan_code: str | None,
                        password: str) -> None:
    """Create a user (prompts for the password when not given)."""
    try:
        user = create_user(username, password, role, crew_id=crew_id, kecamatan_code=kecamatan_code)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.role} {user.username!r} (id {user.id}).")


@click.group("uploads")
def uploads_cli() -> None:
    """Resumable photo uploads (tus)."""


@uploads_cli.command("expire")
@with_appcontext
def expire_uploads_command() -> None:
    """Remove uploads older than 24 hours with their stored bytes, and orphaned parts (run daily)."""
    try:
        done = uploads.expire()
    except StorageError as exc:
        raise click.ClickException(f"The photo storage does not answer; nothing more was removed: {exc}") from None
    click.echo(f"Removed {done.uploads} uploads older than {uploads.UPLOAD_TTL.total_seconds() / 3600:.0f} hours "
               f"({done.parts} stored parts) and {done.orphans} orphaned parts.")

@click.command("demo")
@click.option("--if-empty", is_flag=True, help="When the database already holds logs, say so and exit 0.")
@click.option("--days", type=click.IntRange(1, 120), default=30, show_default=True, help="Working days of work.")
@click.option("--seed", type=int, default=None, help="Random seed, to make the same month again (not the passwords).")
@with_appcontext
def demo_command(if_empty: bool, days: int, seed: int | None) -> None:
    """Load a demo month of work into an empty database and print its accounts (once)."""
    if if_empty and holds_logs():
        click.echo("Work logs are stored already: no demo loaded (its accounts were printed when it was).")
        return
    click.echo(f"Loading the demo month ({days} working days) through the services; this takes a minute…")
    try:
        result = load_demo(working_days=days, seed=seed, echo=click.echo)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    _print_demo(result)


def _print_demo(result: DemoResult) -> None:
    statuses = result.statuses
    click.echo(f"\nDemo month loaded: {result.logs} logs from {result.first_day:%d %b} to {result.last_day:%d %b %Y} "
               f"in {result.kelurahan} kelurahan — {statuses.get('approved', 0)} approved, "
               f"{statuses.get('submitted', 0)} awaiting review, {statuses.get('rejected', 0)} rejected; "
               f"{result.photos} photos.")
    click.echo("Planted for the review queue:")
    for line in result.findings:
        click.echo(f"  - {line}")
    click.echo("\nAccounts — the passwords are shown only now, keep them:")
    width = max(len(a.username) for a in result.accounts)
    for account in result.accounts:
        click.echo(f"  {account.username:<{width}}  {account.password:<14}  {account.what}")
    click.echo("\nOpen (make demo serves on http://127.0.0.1:5000):\n"
               "  /console/      supervisors' console: sign in as pengawas.klojen (Klojen) or pengawas.kota (city)\n"
               "  /              the public progress page (no login)\n"
               "  /api/v1/docs   the API: POST /api/v1/auth/token with any account above")
