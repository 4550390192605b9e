"""The results folder: ``results/<scenario-slug>/<timestamp>-<hash>/``.

Layout of a complete run folder::

    manifest.json        status, scenario hash, seed, replications, package version, executor, timings
    input/scenario.yaml  the scenario as run (its `network` points at input/network.yaml)
    input/network.yaml   the network as run
    input/appraisal-preset.yaml  the appraisal preset the scenario names, if any
    kpis.parquet         KPI rows of every replication (replication, kpi, scope, value, unit)
    timeseries.parquet   per replication, step and commodity: released/due/delivered/lost/backlog t, Q
    events.parquet       the event log of every replication
    disruptions.parquet  every disruption interval: id, start, end, links, nodes, closed/degraded, cause
    supply.parquet       supply time series: food days of supply per municipality, power demand/served per area
    report.html, figures/  the report and its figures (``beredskap-sim report`` remakes them)
    summary.csv          statistics per KPI over the replications (see experiment.summary)

While running, the folder is named ``<name>.partial`` and holds ``replications/rep-NNNNN.*``
files, each written atomically as its replication finishes. Only when every replication is in
are the tables combined and the folder renamed to its final name, so a crash or Ctrl-C never
leaves something that looks complete; ``run --resume <folder>.partial`` finishes it. The
per-replication files are removed only after the rename, so a kill during the final clean-up
leaves either a ``.partial`` that resumes or a complete folder.

A process that runs or resumes a folder holds an exclusive lock on its ``.lock`` file
(``RunFolder.lock``), so two resumes of one folder cannot interleave. Files are created with
the permissions the umask allows (colleagues on a shared drive can read them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from .experiment.replication import ReplicationResult

PARTIAL_SUFFIX = ".partial"
LOCK_NAME = ".lock"
SLUG_MAX = 80
"""Longest folder name made from a scenario name (file systems allow 255 bytes)."""


def slug(text: str) -> str:
    """File-system-safe lower-case name of at most ``SLUG_MAX`` characters: 'E14 closed 36 h' → 'e14-closed-36-h'."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e"})
    text = text.lower().translate(table)
    return re.sub(r"[^a-z0-9]+", "-", text)[:SLUG_MAX].strip("-") or "scenario"


def _file_mode() -> int:
    """Mode of a new file under the current umask (``0o666 & ~umask``), as ``open`` would give."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


class FolderBusy(Exception):
    """Another process is running or resuming this results folder."""


class FolderGone(Exception):
    """The results folder does not exist (any more)."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, _file_mode())  # mkstemp makes files private (0600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class RunFolder:
    """A run folder, partial or complete."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # -------------------------------------------------------------- creation
    @classmethod
    def create(cls, out_root: Path, scenario_name: str, digest: str, scenario_raw: dict, network_raw: dict,
               manifest: dict, preset_text: str | None = None) -> "RunFolder":
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        base = Path(out_root) / slug(scenario_name)
        name = f"{stamp}-{digest[:8]}"
        n = 1
        while (base / name).exists() or (base / (name + PARTIAL_SUFFIX)).exists():
            n += 1
            name = f"{stamp}-{digest[:8]}-{n}"
        base.mkdir(parents=True, exist_ok=True)
        while True:  # another process may take the same name between the check and mkdir
            folder = cls(base / (name + PARTIAL_SUFFIX))
            try:
                folder.path.mkdir()
                break
            except FileExistsError:
                n += 1
                name = f"{stamp}-{digest[:8]}-{n}"
        scenario_copy = dict(scenario_raw)
        scenario_copy["network"] = "network.yaml"
        if preset_text is not None:  # the appraisal preset travels with the run, like the network
            scenario_copy["appraisal"] = {**scenario_copy["appraisal"], "preset": "appraisal-preset.yaml"}
            atomic_write_text(folder.path / "input" / "appraisal-preset.yaml", preset_text)
        atomic_write_text(folder.path / "input" / "scenario.yaml", yaml.safe_dump(scenario_copy, allow_unicode=True, sort_keys=False))
        atomic_write_text(folder.path / "input" / "network.yaml", yaml.safe_dump(network_raw, allow_unicode=True, sort_keys=False))
        folder.write_manifest({**manifest, "status": "partial"})
        return folder

    # -------------------------------------------------------------- locking
    @contextlib.contextmanager
    def lock(self):
        """Hold the folder's exclusive lock; ``FolderBusy`` if another process holds it,
        ``FolderGone`` if the folder disappeared (e.g. another resume completed it)."""
        try:
            handle = open(self.path / LOCK_NAME, "a")
        except (FileNotFoundError, NotADirectoryError):
            raise FolderGone(f"{self.path} does not exist") from None
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderBusy(f"another process is running or resuming {self.path}; wait for it to finish") from None
            if not self.path.is_dir():  # completed and renamed while we waited for the file
                raise FolderGone(f"{self.path} does not exist any more (another process finished it)")
            yield self

    # -------------------------------------------------------------- manifest
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def read_manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True, default=str))

    @property
    def is_partial(self) -> bool:
        return self.path.name.endswith(PARTIAL_SUFFIX)

    @property
    def scenario_file(self) -> Path:
        return self.path / "input" / "scenario.yaml"

    # -------------------------------------------------------- replications
    def _rep_path(self, replication: int, kind: str) -> Path:
        return self.path / "replications" / f"rep-{replication:05d}.{kind}.parquet"

    def write_replication(self, result: ReplicationResult) -> None:
        """Store one replication; the KPI file is written last and marks it done."""
        atomic_write_parquet(result.series_frame(), self._rep_path(result.replication, "series"))
        atomic_write_parquet(result.event_frame(), self._rep_path(result.replication, "events"))
        atomic_write_parquet(result.disruption_frame(), self._rep_path(result.replication, "disruptions"))
        atomic_write_parquet(result.supply_frame(), self._rep_path(result.replication, "supply"))
        kpis = result.kpi_frame()
        kpis["sim_events"] = result.sim_events
        kpis["wall_s"] = result.wall_s
        atomic_write_parquet(kpis, self._rep_path(result.replication, "kpis"))

    def done_replications(self) -> set[int]:
        folder = self.path / "replications"
        if not folder.exists():
            return set()
        return {int(p.name[4:9]) for p in folder.glob("rep-*.kpis.parquet")}

    def discard_replications(self, replications) -> None:
        """Remove stored replications (e.g. those beyond a precision target's prefix)."""
        for rep in replications:
            for kind in ("kpis", "series", "events", "disruptions", "supply"):
                self._rep_path(rep, kind).unlink(missing_ok=True)

    def replication_kpis(self) -> dict:
        """KPI rows of each stored replication, as (kpi, scope, value, unit) tuples."""
        from .metrics.kpis import Kpi

        out = {}
        for rep in sorted(self.done_replications()):
            frame = pd.read_parquet(self._rep_path(rep, "kpis"))
            out[rep] = [Kpi(r.kpi, r.scope, r.value, r.unit) for r in frame.itertuples()]
        return out

    def _combine(self, kind: str, replications: list[int]) -> pd.DataFrame:
        frames = [pd.read_parquet(self._rep_path(r, kind)) for r in sorted(replications)]
        filled = [f for f in frames if not f.empty]
        # An all-empty table (no disruption in any replication) keeps its columns.
        return pd.concat(filled, ignore_index=True) if filled else frames[0]

    # -------------------------------------------------------------- finish
    def complete(self, replications: list[int], summary_fn, manifest_update: dict) -> "RunFolder":
        """Combine the per-replication files, write the summary, rename to the final name."""
        kpis = self._combine("kpis", replications)
        timing = kpis.groupby("replication")[["sim_events", "wall_s"]].first()
        kpis = kpis.drop(columns=["sim_events", "wall_s"])
        atomic_write_parquet(kpis, self.path / "kpis.parquet")
        atomic_write_parquet(self._combine("series", replications), self.path / "timeseries.parquet")
        atomic_write_parquet(self._combine("events", replications), self.path / "events.parquet")
        atomic_write_parquet(self._combine("disruptions", replications), self.path / "disruptions.parquet")
        atomic_write_parquet(self._combine("supply", replications), self.path / "supply.parquet")
        summary = summary_fn(kpis)
        atomic_write_text(self.path / "summary.csv", summary.to_csv(index=False))
        manifest = self.read_manifest()
        manifest.update(manifest_update)
        manifest.update({
            "status": "complete",
            "completed_at": dt.datetime.now().isoformat(timespec="seconds"),
            "sim_events_total": int(timing["sim_events"].sum()),
            "replication_wall_s_total": float(timing["wall_s"].sum()),
        })
        self.write_manifest(manifest)
        (self.path / LOCK_NAME).unlink(missing_ok=True)  # still held through the open handle
        final = self.path.with_name(self.path.name[: -len(PARTIAL_SUFFIX)]) if self.is_partial else self.path
        os.replace(self.path, final)
        shutil.rmtree(final / "replications", ignore_errors=True)
        return RunFolder(final)

    # -------------------------------------------------------------- reading
    def kpis(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "kpis.parquet")

    def summary(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "summary.csv")

    def timeseries(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "timeseries.parquet")

    def events(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "events.parquet")

    def disruptions(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "disruptions.parquet")

    def supply(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "supply.parquet")
