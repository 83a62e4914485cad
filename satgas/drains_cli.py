"""Flask CLI for the drain network: `flask --app wsgi drains import FILE [--replace]` and friends."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from satgas.errors import DomainError
from satgas.services import network, synthetic_network
from satgas.services.drain_files import read_drain_file
from satgas.services.public_cache import invalidate

SYNTHETIC_NOTE = ("NOTE: this is a SYNTHETIC network generated from the kelurahan polygons (kind 'synthetic', "
                  "names '[SINTETIS] …'), not the department's drain inventory.")


@click.group("drains")
def drains_cli() -> None:
    """The drain network that progress is measured against."""


def _echo_report(report: dict) -> None:
    for row in report["kecamatan"]:
        click.echo(f"  {row['code']} {row['name']:<16} {row['segments']:>7} segments {row['length_m'] / 1000:>9.1f} km")
    click.echo(f"  {'total':<25} {report['segments']:>7} segments {report['length_m'] / 1000:>9.1f} km")
    if report["outside_m"] >= 1:
        click.echo(f"  {report['outside_m'] / 1000:.2f} km of the {report['features']} lines lie outside Kota Malang "
                   "and were dropped.")
    click.echo(f"  Coverage recomputed; {report['logs_remeasured']} stored logs changed.")


@drains_cli.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Swap the loaded network for this one (one transaction).")
@click.option("--synthetic", is_flag=True, help="Import a generated SYNTHETIC network instead of a file.")
@click.option("--seed", type=int, default=15, show_default=True, help="Seed of the synthetic network.")
@with_appcontext
def import_command(file: Path | None, replace: bool, synthetic: bool, seed: int) -> None:
    """Load FILE (GeoJSON, GeoPackage or zipped Shapefile, any declared CRS) as the drain network."""
    if synthetic == (file is not None):
        raise click.UsageError("Give a FILE to import, or --synthetic (not both).")
    try:
        if synthetic:
            click.echo(SYNTHETIC_NOTE)
            lines = synthetic_network.drain_lines(synthetic_network.generate(seed=seed))
        else:
            lines = read_drain_file(file)  # type: ignore[arg-type]
        report = network.load_network(lines, replace=replace)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} Nothing was imported.") from None
    invalidate()  # the public progress carries the coverage figures
    click.echo(f"Drain network loaded from {'the synthetic generator' if synthetic else file}:")
    _echo_report(report)
    if synthetic:
        click.echo(SYNTHETIC_NOTE)


@drains_cli.command("synthetic")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=15, show_default=True)
@click.option("--spacing", nargs=2, type=float, default=(80.0, 150.0), show_default=True,
              help="Range of street spacing in metres.")
def synthetic_command(out: Path, seed: int, spacing: tuple[float, float]) -> None:
    """Write a SYNTHETIC drain network (GeoJSON, EPSG:4326) generated from the kelurahan polygons."""
    features = synthetic_network.generate(seed=seed, spacing_m=spacing)
    synthetic_network.write(out, features)
    click.echo(f"Wrote {len(features)} synthetic drain lines ({synthetic_network.length_km(features):.1f} km) "
               f"to {out}. {SYNTHETIC_NOTE}")
