"""Loading the GB/T 2260 division tree (the CSV layout of the china-division package) into federations.

Loads are idempotent: a unit already present keeps its row (its name is refreshed), new units are
bulk-inserted level by level, nothing is duplicated.
"""

import csv
import gzip
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import NATIONAL_CODE, Federation, Level

# (level, file stem, column that holds the parent's code); provinces hang under the national root.
DIVISION_FILES = [
    (Level.PROVINCE, "provinces", None),
    (Level.CITY, "cities", "provinceCode"),
    (Level.COUNTY, "areas", "cityCode"),
    (Level.TOWNSHIP, "streets", "areaCode"),
    (Level.VILLAGE, "villages", "streetCode"),
]
DEPTHS = [level for level, _stem, _column in DIVISION_FILES]
BATCH_SIZE = 2000

NATIONAL_NAME = "中华全国妇女联合会"
NATIONAL_SHORT_NAME = "全国妇联"
VILLAGE_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会")


class DivisionFileError(Exception):
    """A division file is missing or not in the expected layout."""


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent_code: str
    level: str

    @property
    def federation_names(self) -> tuple[str, str]:
        """(full name, short name) of the federation of this division."""
        base = self.name
        if self.level == Level.VILLAGE:
            for suffix in VILLAGE_SUFFIXES:
                if base.endswith(suffix) and len(base) > len(suffix):
                    base = base[: -len(suffix)]
                    break
        return f"{base}妇女联合会", f"{base}妇联"


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    skipped_orphans: int = 0
    per_level: dict = field(default_factory=dict)


def _open_csv(folder: Path, stem: str):
    for candidate in (folder / f"{stem}.csv", folder / f"{stem}.csv.gz"):
        if candidate.exists():
            if candidate.suffix == ".gz":
                return io.TextIOWrapper(gzip.open(candidate), encoding="utf-8-sig")
            return candidate.open(encoding="utf-8-sig", newline="")
    raise DivisionFileError(
        _("找不到区划文件 %(name)s.csv 或 %(name)s.csv.gz（目录 %(folder)s）。")
        % {"name": stem, "folder": folder}
    )


def read_level(
    handle, level: str, parent_column: str | None, provinces: set[str] | None = None
) -> list[Division]:
    """Read one level's rows; provinces, when given, keeps only the units inside them."""
    reader = csv.DictReader(handle)
    needed = {"code", "name"} | ({parent_column} if parent_column else set())
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise DivisionFileError(_("区划文件缺少列：%(columns)s") % {"columns": "、".join(sorted(needed))})
    divisions = []
    for row in reader:
        code = row["code"].strip()
        if provinces and code[:2] not in provinces:
            continue
        parent_code = row[parent_column].strip() if parent_column else NATIONAL_CODE
        divisions.append(Division(code=code, name=row["name"].strip(), parent_code=parent_code, level=level))
    return divisions


def read_divisions(folder: Path, *, provinces: Iterable[str] | None = None, depth: str = Level.COUNTY):
    """Yield each level's divisions, top down, to the given depth."""
    wanted = set(provinces) if provinces else None
    for level, stem, parent_column in DIVISION_FILES:
        with _open_csv(folder, stem) as handle:
            yield read_level(handle, level, parent_column, wanted)
        if level == depth:
            break


def ensure_national_root() -> Federation:
    root, _created = Federation.objects.get_or_create(
        code=NATIONAL_CODE,
        defaults={"name": NATIONAL_NAME, "short_name": NATIONAL_SHORT_NAME, "level": Level.NATIONAL},
    )
    return root


ProgressCallback = Callable[[str, int, int], None]


@transaction.atomic
def load_divisions(levels: Iterable[list[Division]], progress: ProgressCallback | None = None) -> LoadResult:
    """Create or rename the federations of these divisions, parents before children.

    Existing federations are matched by code; a unit whose parent is unknown is skipped and counted.
    """
    result = LoadResult()
    root = ensure_national_root()
    # code -> (pk, path) of every federation a later row may hang under.
    known: dict[str, tuple[int, str]] = {root.code: (root.pk, root.path)}
    for divisions in levels:
        if not divisions:
            continue
        level = divisions[0].level
        codes = [d.code for d in divisions]
        parent_codes = {d.parent_code for d in divisions} - known.keys()
        for code, pk, path in Federation.objects.filter(code__in=parent_codes).values_list(
            "code", "pk", "path"
        ):
            known[code] = (pk, path)
        existing = {}
        for start in range(0, len(codes), BATCH_SIZE * 5):
            chunk = codes[start : start + BATCH_SIZE * 5]
            existing.update(
                {
                    f.code: f
                    for f in Federation.objects.filter(code__in=chunk).only(
                        "pk", "code", "name", "short_name", "path"
                    )
                }
            )
        to_create, to_rename = [], []
        for division in divisions:
            name, short_name = division.federation_names
            current = existing.get(division.code)
            if current is not None:
                known[current.code] = (current.pk, current.path)
                if (current.name, current.short_name) != (name, short_name):
                    current.name, current.short_name = name, short_name
                    to_rename.append(current)
                else:
                    result.unchanged += 1
                continue
            parent = known.get(division.parent_code)
            if parent is None:
                result.skipped_orphans += 1
                continue
            parent_pk, parent_path = parent
            path = f"{parent_path}{division.code}/"
            to_create.append(
                Federation(
                    code=division.code,
                    name=name,
                    short_name=short_name,
                    level=level,
                    parent_id=parent_pk,
                    path=path,
                    depth=path.count("/") - 1,
                )
            )
        done = 0
        total = len(to_create) + len(to_rename)
        for start in range(0, len(to_create), BATCH_SIZE):
            batch = Federation.objects.bulk_create(to_create[start : start + BATCH_SIZE])
            for federation in batch:
                known[federation.code] = (federation.pk, federation.path)
            done += len(batch)
            if progress:
                progress(level, done, total)
        for start in range(0, len(to_rename), BATCH_SIZE):
            Federation.objects.bulk_update(to_rename[start : start + BATCH_SIZE], ["name", "short_name"])
            done += len(to_rename[start : start + BATCH_SIZE])
            if progress:
                progress(level, done, total)
        result.created += len(to_create)
        result.renamed += len(to_rename)
        result.per_level[level] = len(divisions)
    return result
