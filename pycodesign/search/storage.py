"""Where a study lives: optuna's journal file (embedded) or a database shared by many machines.

* ``None`` (the default): an optuna **journal file** ``study.journal`` in the
  results folder — nothing to install; every completed trial is one appended
  line, so a SIGKILL loses no completed trial; several processes on one host
  share it through its file lock (not over NFS).
* ``postgresql://user[:password]@host:port/db`` (psycopg 3 is used when
  psycopg2 is absent: the URL becomes ``postgresql+psycopg://``),
  ``mysql+pymysql://…`` or ``sqlite:///file.db``: optuna's ``RDBStorage`` with
  **heartbeats** — a running trial records one every ``heartbeat_interval_s``;
  one silent for ``grace_period_s`` is failed before the next trial is asked
  and re-queued by ``RetryHeartbeatStaleTrialCallback`` (optuna ≥ 4.9's name
  for ``RetryFailedTrialCallback``) up to ``max_retry`` times.
* Anything else without ``://`` (or ``journal:PATH``) is a journal file path.

The study carries what every worker must share (:func:`open_study`): the
fingerprint of the trial-relevant configuration (a worker with a different
flow is refused, naming the keys that differ) and the trained network (every
worker evaluates the same weights, trained once per study).
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

__all__ = ["StorageError", "StorageSpec", "parse_storage", "open_storage", "open_study", "config_fingerprint",
           "store_network", "load_network", "ATTR_PREFIX"]

ATTR_PREFIX = "pycodesign."


class StorageError(RuntimeError):
    """The storage cannot be opened or does not hold the expected study."""


@dataclass(frozen=True)
class StorageSpec:
    """A parsed ``--storage`` value.

    Attributes
    ----------
    kind : {"journal", "rdb"}
    url : str
        Journal: the file path; rdb: the SQLAlchemy URL (driver filled in).
    """

    kind: str
    url: str

    @property
    def display(self) -> str:
        """The URL with any password hidden (for logs and reports)."""
        if self.kind == "journal":
            return f"journal file {self.url}"
        try:
            from sqlalchemy.engine import make_url

            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL is reported by open_storage
            return self.url.split("@")[-1]

    @property
    def heartbeats(self) -> bool:
        return self.kind == "rdb"


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def parse_storage(value: str | None, default_journal: str | Path) -> StorageSpec:
    """Interpret a ``--storage`` / ``search.storage`` value (see the module doc)."""
    if value is None or value == "":
        return StorageSpec("journal", str(Path(default_journal).resolve()))
    if not isinstance(value, str):
        raise StorageError(f"storage {value!r} is not a string")
    if value.startswith("journal:"):
        return StorageSpec("journal", str(Path(value[len("journal:"):]).resolve()))
    if "://" not in value:
        return StorageSpec("journal", str(Path(value).resolve()))
    scheme = value.split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        rest = value.split("://", 1)[1]
        driver = "postgresql" if _has("psycopg2") else "postgresql+psycopg"
        return StorageSpec("rdb", f"{driver}://{rest}")
    if scheme.startswith("postgresql+") or scheme.startswith("mysql") or scheme.startswith("sqlite") or \
            scheme.startswith("mariadb"):
        return StorageSpec("rdb", value)
    raise StorageError(f"storage {value!r}: unknown scheme {scheme!r}; allowed: postgresql://, mysql+pymysql://, "
                       "sqlite:///, journal:PATH or a journal file path")


def open_storage(spec: StorageSpec, *, heartbeat_interval_s: int = 10, grace_period_s: int = 30,
                 max_retry: int = 3) -> optuna.storages.BaseStorage:
    """The optuna storage for *spec* (database storages with heartbeats and retries)."""
    if spec.kind == "journal":
        from optuna.storages.journal import JournalFileBackend

        path = Path(spec.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    engine_kwargs: dict[str, Any] = {}
    if not spec.url.startswith("sqlite"):
        engine_kwargs["pool_pre_ping"] = True
    try:
        with warnings.catch_warnings():  # heartbeats and the retry callback are "experimental" since optuna 2.8
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
            return optuna.storages.RDBStorage(
                spec.url, engine_kwargs=engine_kwargs, heartbeat_interval=int(heartbeat_interval_s),
                grace_period=int(grace_period_s), heartbeat_stale_trial_callback=retry)
    except ModuleNotFoundError as exc:
        raise StorageError(f"cannot open storage {spec.display}: the database driver is missing ({exc}); for "
                           "PostgreSQL install psycopg (pip install 'psycopg[binary]'), for MySQL PyMySQL") from None
    except Exception as exc:  # noqa: BLE001 - connection problems: say which storage and why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StorageError(f"cannot open storage {spec.display}: {type(exc).__name__}: {first}") from None


def config_fingerprint(trial_config: dict) -> str:
    """SHA-256 of the trial-relevant configuration (canonical JSON)."""
    text = json.dumps(trial_config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            p = f"{path}.{k}" if path else str(k)
            if k not in a or k not in b:
                out.append(p)
            else:
                out += _differences(a[k], b[k], p)
        return out
    return [] if a == b else [path or "<top level>"]


def open_study(storage, name: str, *, directions: list[str], sampler, trial_config: dict,
               create: bool, metric_names: list[str] | None = None) -> optuna.Study:
    """Create (or reopen) the study, or join an existing one, and check it runs this configuration.

    Parameters
    ----------
    storage : optuna storage
    name : str
    directions : list of {"minimize", "maximize"}
    sampler : optuna sampler
    trial_config : dict
        The trial-relevant configuration; its fingerprint is stored with a
        new study and compared when the study is reopened or joined.
    create : bool
        False for a joining worker: the study must exist.
    metric_names : list of str, optional
        Objective names shown by optuna-dashboard (set when the study is made).

    Raises
    ------
    StorageError
        The study is missing (joining), or was made by a different flow
        configuration or with different directions.
    """
    if create:
        study = optuna.create_study(storage=storage, study_name=name, directions=directions, sampler=sampler,
                                    load_if_exists=True)
    else:
        try:
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
        except KeyError:
            raise StorageError(f"no study named {name!r} in the storage; start the main run first "
                               "(pycodesign search FLOW.yaml --storage URL), then join it") from None
    have = [d.name.lower() for d in study.directions]
    if have != list(directions):
        raise StorageError(f"study {name!r} optimises {have}, this flow asks for {list(directions)}; use another "
                           "study name (search.study_name or --study)")
    fp = config_fingerprint(trial_config)
    stored = study.user_attrs.get(ATTR_PREFIX + "fingerprint")
    if stored is None:
        if not create:
            raise StorageError(f"study {name!r} was not created by pycodesign search (no fingerprint)")
        study.set_user_attr(ATTR_PREFIX + "fingerprint", fp)
        study.set_user_attr(ATTR_PREFIX + "trial_config", json.loads(json.dumps(trial_config, default=str)))
        if metric_names:
            with warnings.catch_warnings():  # "experimental" since optuna 3.2
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                study.set_metric_names(list(metric_names))  # objective names in optuna-dashboard
    elif stored != fp:
        old = study.user_attrs.get(ATTR_PREFIX + "trial_config", {})
        diff = _differences(old, json.loads(json.dumps(trial_config, default=str)))
        raise StorageError(f"study {name!r} was made by a different flow configuration (differs at: "
                           f"{', '.join(diff[:8]) or 'unknown keys'}); run the same flow file, or use another "
                           "study name (search.study_name or --study)")
    return study


def store_network(study: optuna.Study, network) -> None:
    """Keep the trained network in the study (every worker evaluates these weights)."""
    data = network.to_dict()
    data.pop("history", None)
    study.set_user_attr(ATTR_PREFIX + "network", data)


def load_network(study: optuna.Study):
    """The network kept in the study, or None."""
    from ..nn import DenseNetwork

    data = study.user_attrs.get(ATTR_PREFIX + "network")
    return None if data is None else DenseNetwork.from_dict(data)
