"""``convscope report``: one self-contained HTML page of everything runs learned.

For each run, in the course's order: the run (recipe, data, machine, accuracies), its data
(the training batch as the network sees it; for photo folders the class folders and every
skipped file), the network (layer table and weight counts), learning (curves, and in words
whether training and test part), predictions (probability bars, mistakes, a confusion matrix
whose cells open onto their test images, per-class accuracy) and what the network sees (feature
maps, one filter on many images, kernels, Grad-CAM). Several runs: their comparison first.

The page is written in English or French, opens from disk offline (figures embedded; nothing
loaded from elsewhere) and prints on A4. A run with missing or damaged files still gets its
page, which says what is missing.

    import convscope
    convscope.report("runs/mnist-…")                          # → runs/mnist-…/report.html
    convscope.report(["runs/cifar10-…", "runs/cifar10-nopool-…"], "pooling.html", lang="fr")
    convscope.report("my_model.keras", images="my_digits/")   # your own model and images
"""

from __future__ import annotations

import time
from pathlib import Path

from .. import _io
from ..errors import ConvscopeError, refuse_existing
from ..run_files import REPORT
from ..runs import Run
from ..words import Words
from .page import render
from .subject import Subject


def report(runs, out=None, *, lang: str | None = None, images=None, data_dir=None,
           overwrite: bool = False, observer=None) -> Path:
    """Write the HTML report of one or several runs and return its path.

    ``runs``: a run directory, a ``.keras`` file, a ``Run``, or a list of them (compared on
    the page, then each in turn). ``out``: the file to write (default: ``report.html`` in the
    run directory; ``<model>-report.html`` beside a model file; ``runs/report-<time>.html``
    for several runs); an existing ``out`` is replaced only with ``overwrite``. ``lang``:
    ``"en"`` or ``"fr"`` (default: the system's language). ``images``: a folder (or list) of
    your images, predicted and looked inside; what a bare model is shown with (sub-folders
    named after classes give the true classes). ``data_dir``: where a run's data moved to.
    ``observer`` receives ``Progress`` events.
    """
    targets = [runs] if isinstance(runs, (str, Path, Run)) else list(runs)
    if not targets:
        raise ConvscopeError("The `runs` parameter of report must name at least one run "
                             "directory or .keras file. Got an empty list instead.")
    text = Words(lang)
    paths = [Path(t.path if isinstance(t, Run) else t) for t in targets]
    for path in paths:
        if not path.exists():
            raise ConvscopeError(f"{path}: no such run directory or model file")
    out = _destination(paths, out, overwrite)
    subjects = [Subject(target, i, text, images, data_dir) for i, target in enumerate(targets)]
    try:
        page = render(subjects, text, observer)
    finally:
        for subject in subjects:
            subject.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    _io.write_text(out, page)
    return out


def _destination(paths: list[Path], out, overwrite: bool) -> Path:
    """Where the page goes. A run's own report.html is convscope's to replace; a file the
    user named is replaced only when asked."""
    if out is None:
        if len(paths) > 1:
            return Path("runs") / f"report-{time.strftime('%Y%m%d-%H%M%S')}.html"
        if paths[0].is_file():
            return paths[0].with_name(f"{paths[0].stem}-report.html")
        return paths[0] / REPORT
    out = Path(out)
    if out.is_dir():
        out = out / REPORT
    refuse_existing(out, overwrite)
    return out
