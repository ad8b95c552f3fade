"""``convscope scan`` and ``convscope prepare``: photo folders checked and made."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import Quiet, app, console_display, user_errors, with_keras


@app.command("scan")
@user_errors
def scan_command(
    folder: Annotated[Path, typer.Argument(help="DIR/train/<class>/ and DIR/test/<class>/, or "
                                           "DIR/<class>/.")],
    size: Annotated[int, typer.Option(help="Side in pixels the photos are decoded to (and "
                                      "cached at, so training at that size starts warm).",
                                      min=1)] = 64,
    cache: Annotated[bool, typer.Option(help="Keep the decoded photos in the user cache.")] = True,
    quiet: Quiet = False,
):
    """Check a folder of photos: counts per class, sizes, and every skipped file with its reason.

    Every photo is decoded, so damaged, truncated and mislabelled files show up here rather
    than during training. Exit status 0 even when files are skipped (training skips them too).
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    with_keras()  # the photos' batches are Keras's
    from ..datasets.scan import scan_folder

    report = scan_folder(folder, (size, size, 3), cache=cache,
                         observer=console_display(quiet, show_skipped=False))
    table = Table("part", "class", "photos", "width min / median / max",
                  "height min / median / max", box=None, pad_edge=False)
    for row in report.rows():
        w, h = row["width"], row["height"]
        table.add_row(row["part"], escape(row["class"]), f"{row['photos']:,}",
                      f"{w['min']} / {w['median']} / {w['max']}",
                      f"{h['min']} / {h['median']} / {h['max']}")
    Console(width=120).print(table)
    skipped = report.skipped
    typer.echo(f"{len(skipped)} file(s) skipped" + (":" if skipped else ""))
    for item in skipped:
        typer.echo(f"  {item}")


prepare_app = typer.Typer(help="Make train/ and test/ photo folders from raw photos "
                          "(copies; the originals are never moved or changed).",
                          no_args_is_help=True)
app.add_typer(prepare_app, name="prepare")

TestFraction = Annotated[float | None, typer.Option(
    help="Fraction of each class held out for testing [default: 0.2, the course's 2,500 of "
    "12,500].", show_default=False)]
PerClass = Annotated[int | None, typer.Option(
    help="Use only N photos of each class in all (e.g. 1000 for a first, quick run).",
    show_default=False)]
PrepareOut = Annotated[Path, typer.Option("--out", help="Folder to create (train/ and test/ "
                                          "inside).")]
PrepareForce = Annotated[bool, typer.Option(help="Write into --out even if it is not empty "
                                            "(files of the same name are replaced).")]


def _prepare(function, source: Path, out: Path, quiet: bool, **options) -> None:
    report = function(source, out, **options,
                      observer=console_display(quiet, show_skipped=False))
    typer.echo(report.describe())


@prepare_app.command("catsdogs")
@user_errors
def prepare_catsdogs_command(
    source: Annotated[Path, typer.Argument(help="Kaggle's Dogs vs. Cats train.zip, or a folder "
                                           "of its cat.N.jpg / dog.N.jpg photos.")],
    out: PrepareOut,
    test_fraction: TestFraction = None,
    per_class: PerClass = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same split.", min=0)] = 0,
    force: PrepareForce = False,
    quiet: Quiet = False,
):
    """The course's layout: OUT/train/{cats,dogs} (10,000 each) and OUT/test/{cats,dogs} (2,500).

    Zip members that would land outside OUT, links and non-photos are reported and skipped.
    Then: convscope train catsdogs --data-dir OUT
    """
    from ..datasets.prepare import prepare_catsdogs

    _prepare(prepare_catsdogs, source, out, quiet, test_fraction=test_fraction,
             per_class=per_class, seed=seed, force=force)


@prepare_app.command("split")
@user_errors
def prepare_split_command(
    source: Annotated[Path, typer.Argument(help="A folder with one sub-folder of photos per "
                                           "class.")],
    out: PrepareOut,
    test_fraction: Annotated[float, typer.Option(help="Fraction of each class held out for "
                                                 "testing.")] = 0.2,
    per_class: PerClass = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same split.", min=0)] = 0,
    force: PrepareForce = False,
    quiet: Quiet = False,
):
    """Split any folder-per-class set into OUT/train/<class> and OUT/test/<class> (copies).

    Then: convscope train folder OUT
    """
    from ..datasets.prepare import split_folder

    _prepare(split_folder, source, out, quiet, test_fraction=test_fraction, per_class=per_class,
             seed=seed, force=force)
