"""A large synthetic database for benchmarks, built once and cached.

Why: start-up, lists, reports and forecasts must stay fast for a team that has used the app
for years. ``bench/.cache/large.sqlite`` holds 100k deals, 300k stage changes, 500k
activities, ~30 reps, the default pipeline and quotas. It is rebuilt when missing, when
:data:`VERSION` changes (the recipe) or when the schema version moves on.

The rows go in with raw ``executemany`` for speed, so they are written in storage form:
money and hours as integer hundredths (what ScaledDecimalField stores), uuids as 32 hex
digits, dates and datetimes as ISO text. The schema itself comes from
:func:`db.migrations.migrate`, so it is always today's.

``python -m bench.synthetic [--force]`` builds it on its own.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

VERSION = 1  # bump when the recipe below changes
SEED = 20240601
DEALS = 100_000
ACTIVITIES = 500_000
REPS = 29  # plus one manager: 30 people
DAYS = 730  # two years of history before the build day

CACHE = Path(__file__).resolve().parent / ".cache"
LARGE = CACHE / "large.sqlite"
META = CACHE / "large.json"
MANAGER_NAME = "Morgan Manager"

_FIRST = ("Alex", "Sam", "Jordan", "Taylor", "Casey", "Riley", "Jamie", "Avery", "Quinn",
          "Robin", "Drew", "Kai", "Noa", "Rowan", "Sage")
_LAST = ("Stone", "Reed", "Park", "Hale", "Moss", "Vega", "Frost", "Lake", "Cole", "Ward")
_INDUSTRIES = ("Software", "Healthcare", "Manufacturing", "Logistics", "Retail",
               "Professional services", "Construction", "Education")
_REGIONS = ("Northeast", "Southeast", "Midwest", "Southwest", "West")


def _meta_wanted() -> dict:
    from db.migrations import latest_version

    return {"version": VERSION, "schema": latest_version(), "deals": DEALS}


def is_current() -> bool:
    if not LARGE.exists() or not META.exists():
        return False
    try:
        stored = json.loads(META.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return all(stored.get(k) == v for k, v in _meta_wanted().items())


def ensure_large_db(force: bool = False) -> Path:
    """The cached large database, built (and timed, and printed) if needed."""
    if not force and is_current():
        built = json.loads(META.read_text("utf-8")).get("build_seconds")
        print(f"synthetic: using {LARGE} (built earlier in {built:.1f} s)", flush=True)
        return LARGE
    started = time.perf_counter()
    counts = build(LARGE)
    seconds = time.perf_counter() - started
    META.write_text(json.dumps({**_meta_wanted(), "build_seconds": seconds, **counts}), "utf-8")
    size = LARGE.stat().st_size / 1e6
    print(f"synthetic: built {LARGE} in {seconds:.1f} s ({size:.0f} MB; "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ")", flush=True)
    return LARGE


def _iso(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def build(path: Path) -> dict[str, int]:
    """Write a fresh large database at ``path`` and return row counts by table."""
    from app.defaults import install_default_pipeline
    from db.connection import bind, make_database
    from db.migrations import migrate

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = make_database(str(path))
    bind(db)
    migrate(db)
    install_default_pipeline()

    rng = random.Random(SEED)
    conn = db.connection()
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")

    stages = conn.execute(
        "SELECT id, position, side, outcome FROM stage ORDER BY position"
    ).fetchall()
    open_ids = [s[0] for s in stages if s[3] == "open"]  # Suspect .. Negotiation
    won_id = next(s[0] for s in stages if s[3] == "won")
    lost_id = next(s[0] for s in stages if s[3] == "lost")
    handover = next(i for i, s in enumerate(stages) if s[2] == "sales")
    required: dict[int, list[int]] = {}
    for item_id, stage_id in conn.execute(
        "SELECT id, stage_id FROM checklist_item WHERE required ORDER BY position"
    ):
        required.setdefault(stage_id, []).append(item_id)
    sources = [r[0] for r in conn.execute("SELECT id FROM lead_source ORDER BY id")]
    kinds = [r[0] for r in conn.execute("SELECT name FROM activity_kind ORDER BY position")]

    # people
    names = [MANAGER_NAME]
    while len(names) < REPS + 1:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name not in names:
            names.append(name)
    conn.executemany(
        "INSERT INTO rep (name, email, role, weekly_capacity_hours, active) VALUES (?,?,?,?,1)",
        [(n, n.lower().replace(" ", ".") + "@large.example", "manager" if i == 0 else "rep",
          rng.choice((32, 36, 38, 40, 42, 45)) * 100) for i, n in enumerate(names)],
    )
    rep_ids = [r[0] for r in conn.execute("SELECT id FROM rep ORDER BY id")]
    manager_id, sellers = rep_ids[0], rep_ids[1:]
    conn.execute(
        "INSERT INTO setting (key, value) VALUES ('current_user', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (MANAGER_NAME,)
    )

    today = date.today()
    month = date(today.year, today.month, 1)
    spend = []
    for _ in range(DAYS // 30 + 2):  # every month the deals span: 25,000 a source
        spend += [(source, month.isoformat(), 25_000 * 100) for source in sources]
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    conn.executemany("INSERT INTO source_spend (source_id, month, amount) VALUES (?, ?, ?)",
                     spend)
    start = datetime.combine(today - timedelta(days=DAYS), datetime.min.time())
    now = datetime.combine(today, datetime.min.time())
    deal_rows, change_rows, check_rows = [], [], []
    owned: dict[int, list[tuple[int, date]]] = {r: [] for r in sellers}
    for deal_id in range(1, DEALS + 1):
        created = start + timedelta(minutes=rng.randrange(0, (DAYS - 1) * 24 * 60))
        first = rng.choices((0, 1, handover), weights=(0.3, 0.2, 0.5))[0]
        fate = rng.random()
        if fate < 0.15:  # won: walks every stage from its first one
            visited = list(range(first, len(open_ids)))
            final = won_id
        else:
            last = min(len(open_ids) - 1, first + rng.randint(0, 2))
            visited = list(range(first, last + 1))
            final = lost_id if fate < 0.45 else None
        owner = rng.choice(sellers) if (visited[-1] >= handover or final == won_id) else None
        steps = [timedelta(hours=rng.randint(2, 24 * 20))
                 for _ in range(len(visited) - 1 + (final is not None))]
        created = min(created, now - sum(steps, timedelta(hours=1)))
        moments = [created]
        for step in steps:
            moments.append(moments[-1] + step)
        path_ids = [open_ids[i] for i in visited] + ([final] if final is not None else [])
        previous = None
        for stage_id, moment in zip(path_ids, moments, strict=True):
            change_rows.append((f"{rng.getrandbits(128):032x}", deal_id, previous, stage_id,
                                _iso(moment), owner or manager_id, "", "app"))
            previous = stage_id
        by = owner or manager_id
        for position, moment in zip(visited, moments, strict=False):
            for item_id in required.get(open_ids[position], ()):
                check_rows.append((deal_id, item_id, _iso(moment), by))
        entered = moments[-1]
        value = rng.randrange(20, 1500) * 10_000  # 2,000 .. 150,000 in cents
        expected_close = (created.date() + timedelta(days=rng.randint(30, 150))).isoformat()
        company = f"{rng.choice(_LAST)} {rng.choice(_INDUSTRIES).split()[0]} {deal_id}"
        deal_rows.append((
            deal_id, f"{rng.getrandbits(128):032x}", f"{company} – deal", company,
            "Pat Buyer", f"pat@{deal_id}.example", "", rng.choice(_INDUSTRIES),
            rng.randint(5, 5000), rng.choice(_REGIONS), rng.choice(sources), owner,
            path_ids[-1], value, expected_close,
            "", None, _iso(created), _iso(entered), _iso(entered),
            "Price" if final == lost_id else "", "", len(path_ids), _iso(entered),
        ))
        if owner is not None:
            owned[owner].append((deal_id, created.date()))
    conn.executemany(
        "INSERT INTO deal (id, uuid, title, company, contact_name, contact_email, contact_phone,"
        " industry, company_size, region, source_id, owner_id, stage_id, value, expected_close,"
        " next_step, next_step_due, created_at, stage_entered_at, last_activity_at, lost_reason,"
        " notes, version, updated_at) VALUES (" + ",".join("?" * 24) + ")",
        deal_rows,
    )
    conn.executemany(
        "INSERT INTO stage_change (uuid, deal_id, from_stage_id, to_stage_id, changed_at,"
        " changed_by_id, override_reason, origin) VALUES (?,?,?,?,?,?,?,?)",
        change_rows,
    )
    conn.executemany(
        "INSERT INTO checklist_check (deal_id, item_id, checked_at, checked_by_id)"
        " VALUES (?,?,?,?)",
        check_rows,
    )

    activity_rows = []
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    workdays = [d for d in days if d.weekday() < 5]
    for n in range(ACTIVITIES):
        rep_id = sellers[n % len(sellers)]
        day = rng.choice(workdays)
        deal_id = None
        if owned[rep_id] and rng.random() < 0.6:
            deal_id, created_on = rng.choice(owned[rep_id])
            day = max(day, created_on)  # never logged on a deal before it existed
        activity_rows.append((f"{rng.getrandbits(128):032x}", rep_id, deal_id,
                              rng.choice(kinds), day.isoformat(), rng.randint(1, 12) * 25, ""))
    conn.executemany(
        "INSERT INTO activity (uuid, rep_id, deal_id, kind, date, hours, note)"
        " VALUES (?,?,?,?,?,?,?)",
        activity_rows,
    )

    quota_rows = []
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    for _ in range(8):
        end_month = quarter.month + 3
        end = (date(quarter.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
               - timedelta(days=1))
        quota_rows.extend((r, quarter.isoformat(), end.isoformat(), 400_000 * 100)
                          for r in sellers)
        quota_rows.append((None, quarter.isoformat(), end.isoformat(),
                           400_000 * 100 * len(sellers)))
        quarter = date(quarter.year - (quarter.month == 1), (quarter.month - 4) % 12 + 1, 1)
    conn.executemany(
        "INSERT INTO quota (rep_id, period_start, period_end, amount) VALUES (?,?,?,?)",
        quota_rows,
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "reps": len(rep_ids),
        "deals": len(deal_rows),
        "stage_changes": len(change_rows),
        "checklist_checks": len(check_rows),
        "activities": len(activity_rows),
        "quotas": len(quota_rows),
    }


if __name__ == "__main__":
    ensure_large_db(force="--force" in sys.argv[1:])
