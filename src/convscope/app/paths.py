"""Which files the app may touch: the runs it was given or finds under its runs root, the
photo folders given with ``--photos``, and the photo sets dropped into the page.

The page never sends a path to open. It sends a *key* — a run's name under the runs root, or
the absolute path of a run given on the command line; a photo set's name — and every key is
resolved and checked here, after following links, so that nothing typed into the page (or sent
to the app's API by another program) reads or writes outside these places.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConvscopeError
from ..run_files import CONFIG

# Photo sets dropped into the page live here, under the runs root: <set>/<class>/<photo>.
UPLOADS = "photos"
# Runs are found at most this deep under the runs root (runs/<name>/ or runs/<group>/<name>/).
RUN_DEPTH = 2
# Class and set names become folder names: letters, digits, spaces, - and _ only.
NAME_PATTERN = re.compile(r"^[\w][\w \-]{0,39}$")


class PathRefused(ConvscopeError):
    """The page asked for something outside what the app serves."""


def safe_name(text: str, what: str = "name") -> str:
    """``text`` as a folder name, or PathRefused saying what a name may hold."""
    name = " ".join(str(text or "").split())
    if not NAME_PATTERN.match(name):
        raise PathRefused(f"{what} {name!r}: use 1–40 letters, digits, spaces, - or _ "
                          "(starting with a letter or digit)")
    return name


@dataclass(frozen=True)
class Roots:
    """The places the app serves: ``runs_root`` (read and written), ``runs`` given on the
    command line (read, and written by Resume), and ``photos`` folders (read)."""

    runs_root: Path
    runs: tuple[Path, ...] = ()
    photos: tuple[Path, ...] = ()

    @classmethod
    def of(cls, runs_root="runs", runs=(), photos=()) -> Roots:
        """Check and resolve the command line's paths; the runs root is created (last, so that
        a mistyped argument leaves nothing behind)."""
        root = Path(runs_root).expanduser()
        if root.exists() and not root.is_dir():
            raise ConvscopeError(f"--runs-root {root}: not a folder")
        given = []
        for path in runs:
            path = Path(path).expanduser().resolve()
            if not (path / CONFIG).is_file() and not (path.is_file() and path.suffix == ".keras"):
                raise ConvscopeError(f"{path}: not a run directory (no {CONFIG}) nor a .keras "
                                     "model; pass folders written by `convscope train`")
            given.append(path)
        folders = []
        for path in photos:
            path = Path(path).expanduser().resolve()
            if not path.is_dir():
                raise ConvscopeError(f"--photos {path}: no such folder; pass a folder with one "
                                     "sub-folder per class (or train/ and test/)")
            folders.append(path)
        root.mkdir(parents=True, exist_ok=True)
        return cls(root.resolve(), tuple(given), tuple(folders))

    # -- runs ------------------------------------------------------------------------------

    def run_paths(self) -> list[Path]:
        """Every run served: those given, then those under the runs root, by name."""
        found = []
        for folder, dirs, files in os.walk(self.runs_root):
            depth = len(Path(folder).relative_to(self.runs_root).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and not (depth == 0 and d == UPLOADS))
            if depth >= RUN_DEPTH:
                dirs[:] = []
            if CONFIG in files and depth > 0:
                found.append(Path(folder))
                dirs[:] = []  # a run's figures/ holds no runs
        given = [p for p in self.runs if p not in found]
        return given + sorted(found, key=lambda p: str(p.relative_to(self.runs_root)))

    def key(self, path: Path) -> str:
        """What the page shows and sends back for a run: its name under the runs root, or
        its absolute path if it was given on the command line."""
        path = Path(path)
        if path.is_relative_to(self.runs_root):
            return str(path.relative_to(self.runs_root))
        return str(path)

    def run_path(self, key: str) -> Path:
        """The run a key names, or PathRefused if the app does not serve it."""
        if not key or not isinstance(key, str):
            raise PathRefused("choose a run first")
        path = (Path(key) if os.path.isabs(key) else self.runs_root / key).resolve()
        if path in self.runs:
            return path
        if path.is_relative_to(self.runs_root) and path != self.runs_root \
                and (path / CONFIG).is_file() \
                and not path.is_relative_to(self.runs_root / UPLOADS):
            return path
        raise PathRefused(f"{key}: not a run this app serves; it serves the runs given to "
                          f"`convscope app` and those under {self.runs_root}")

    def new_run_dir(self, name: str) -> Path:
        """A fresh, empty run directory under the runs root."""
        from ..run_files import new_run_dir

        return new_run_dir(None, name, root=self.runs_root)

    # -- photo folders ---------------------------------------------------------------------

    @property
    def uploads(self) -> Path:
        return self.runs_root / UPLOADS

    def photo_sets(self) -> dict[str, Path]:
        """Folders of photos to train on: ``--photos`` folders by name, then the sets dropped
        into the page (``photos/<set>`` under the runs root)."""
        sets = {f"--photos {p.name}": p for p in self.photos}
        if self.uploads.is_dir():
            for folder in sorted(self.uploads.iterdir()):
                if folder.is_dir() and not folder.name.startswith("."):
                    sets[folder.name] = folder.resolve()
        return sets

    def photo_set(self, key: str) -> Path:
        """The photo folder a key names, or PathRefused."""
        sets = self.photo_sets()
        if key not in sets:
            raise PathRefused(f"{key}: not a photo folder this app serves; give folders with "
                              "`convscope app --photos DIR`, or drop photos into the page")
        path = sets[key]
        if path not in self.photos and not path.is_relative_to(self.uploads.resolve()):
            raise PathRefused(f"{key}: leads outside {self.uploads}")
        return path

    def upload_folder(self, set_name: str, class_name: str) -> Path:
        """Where photos dropped for one class of one set are kept (created)."""
        folder = self.uploads / safe_name(set_name, "set name") / safe_name(class_name,
                                                                             "class name")
        folder.mkdir(parents=True, exist_ok=True)
        resolved = folder.resolve()
        if not resolved.is_relative_to(self.uploads.resolve()):
            raise PathRefused(f"{folder}: leads outside {self.uploads}")
        return resolved
