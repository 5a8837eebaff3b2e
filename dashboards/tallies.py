"""The triggers that keep the province overview's tallies (``models``): each changes a tally
in the statement that changes the rows it counts, on PostgreSQL and on SQLite. The buckets are
``workflow.selectors.timeliness`` read from an assignment's columns, but for a pending extension
request (the overview reads those live); tests/dashboards/test_tallies.py holds the tallies to
the live counts after every service. Installed by migration 0004, and again after any
``migrate`` that removed them (``reinstall``)."""

# ruff: noqa: S608 (the SQL is made of this module's constants, never of input)

from django.db import DEFAULT_DB_ALIAS, connections, transaction

ASSIGNMENTS, ESCALATIONS = "workflow_assignment", "escalation_escalation"
EXTENSIONS = "workflow_extensionrequest"
A_TALLY, E_TALLY = "dashboards_assignmenttally", "dashboards_escalationtally"
I_TALLY = "dashboards_itemtally"  # the dated rows again, by directive item (the public page)
AGENCY_TALLY = "dashboards_agencytally"
AWAITING_TALLY, LEVELS = "dashboards_awaitingtally", "escalation_escalationlevel"
# ``models.Bucket``'s values, each a column of ``AgencyTally`` (a test holds them equal).
BUCKETS = (
    "open",
    "continuous",
    "extension",
    "done_on_time",
    "done_late",
    "cancelled",
    "transferred",
)
CLOSED = "('done', 'cancelled', 'transferred')"
PENDING = "('requested', 'endorsed')"  # an extension request not yet decided


def pending_of(r: str) -> str:
    """Whether the assignment ``r`` has a pending extension request (at most one: a unique
    index of workflow's)."""
    return (
        f"EXISTS (SELECT 1 FROM {EXTENSIONS} e "
        f"WHERE e.assignment_id = {r}.id AND e.status IN {PENDING})"
    )


def bucket(r: str, pending: str | None = None) -> str:
    """``workflow.selectors.timeliness`` of the assignment ``r``, but for open work with a due
    date, which is one bucket (overdue or on time by the day it is read); ``pending``: SQL
    that tells whether it has a pending extension request (by default, the request table)."""
    pending = pending or pending_of(r)
    return (
        f"CASE WHEN {r}.state = 'cancelled' THEN 'cancelled' "
        f"WHEN {r}.state = 'transferred' THEN 'transferred' "
        f"WHEN {r}.state = 'done' AND ({r}.due_date IS NULL OR {r}.completed_on <= {r}.due_date) "
        "THEN 'done_on_time' "
        f"WHEN {r}.state = 'done' THEN 'done_late' "
        f"WHEN {pending} THEN 'extension' "
        f"WHEN {r}.due_date IS NULL THEN 'continuous' ELSE 'open' END"
    )


def due(r: str, undated: str, pending: str | None = None) -> str:
    """The tally's date: open work's due date; done work's month of completion (its first
    day: the dashboard's trend of on-time completion reads it); ``undated`` otherwise (work
    under a pending extension request included)."""
    pending = pending or pending_of(r)
    if undated.startswith("DATE"):  # PostgreSQL
        month = f"CAST(date_trunc('month', {r}.completed_on) AS date)"
    else:
        month = f"date({r}.completed_on, 'start of month')"
    return (
        f"CASE WHEN {r}.state = 'done' AND {r}.completed_on IS NOT NULL THEN {month} "
        f"WHEN {r}.state IN {CLOSED} OR {r}.due_date IS NULL OR {pending} THEN {undated} "
        f"ELSE {r}.due_date END"
    )


def key(r: str, undated: str, pending: str | None = None, by: str = "agency_id") -> str:
    return f"{r}.{by}, {bucket(r, pending)}, {due(r, undated, pending)}"


def match(r: str, undated: str, pending: str | None = None) -> str:
    return (
        f"agency_id = {r}.agency_id AND bucket = {bucket(r, pending)} "
        f"AND due_date = {due(r, undated, pending)}"
    )


def per_bucket(aggregate: str) -> str:
    """One column per bucket: ``aggregate`` (a format with ``{b}``, the bucket's value)."""
    return ", ".join(aggregate.format(b=b) for b in BUCKETS)


COLUMNS_AT = f"agency_id, {', '.join(BUCKETS)}"
ADD_AT = (
    f"ON CONFLICT (agency_id) DO UPDATE SET "
    f"{', '.join(f'{b} = {AGENCY_TALLY}.{b} + EXCLUDED.{b}' for b in BUCKETS)}"
)


def by_agency(rows: str, sign: str = "") -> str:
    """``rows`` (a table of assignments, aliased ``r``, none with a pending extension request)
    counted per agency and bucket, a column per bucket (``sign`` "-": negated), in agency
    order."""
    return (
        f"SELECT agency_id, {per_bucket(sign + 'count(*) FILTER (WHERE b = {b!r})')} "
        f"FROM (SELECT r.agency_id, {bucket('r', 'FALSE')} AS b FROM {rows} r) AS s "
        "GROUP BY agency_id ORDER BY agency_id"
    )


PG_UNDATED = "DATE '0001-01-01'"


def pg_moves(parts: list[str]) -> str:
    """The statement of an extension-request trigger: ``parts`` (SQL rows of an assignment
    id, whether it is taken as pending, and +1 or -1) moved between the tallies' rows: each
    assignment counted out as it was and in as it is."""
    return f"WITH moves (assignment_id, pending, d) AS ({' UNION ALL '.join(parts)})"


def pg_parts(rows: str, sign: int) -> list[str]:
    """The moves of the requests ``rows`` (a transition table): with ``sign`` 1, requests
    now pending (counted out as not pending, in as pending); -1, requests pending before."""
    was, now = ("FALSE", "TRUE") if sign > 0 else ("TRUE", "FALSE")
    chosen = f"FROM {rows} WHERE status IN {PENDING}"
    return [
        f"SELECT assignment_id, {was}, -1 {chosen}",
        f"SELECT assignment_id, {now}, 1 {chosen}",
    ]


def pg_extension_moves(parts: list[str]) -> str:
    moved = f"FROM moves m JOIN {ASSIGNMENTS} a ON a.id = m.assignment_id"
    return f"""
    PERFORM 1 FROM {ASSIGNMENTS} WHERE id IN (SELECT assignment_id FROM ({
        " UNION ALL ".join(parts)
    }) AS p (assignment_id, pending, d)) ORDER BY id FOR NO KEY UPDATE;
    {pg_moves(parts)}
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    SELECT {key("a", PG_UNDATED, "m.pending")}, sum(m.d) {moved}
    GROUP BY 1, 2, 3 HAVING sum(m.d) <> 0 ORDER BY 1, 2, 3 {UPSERT_A.format(t=A_TALLY)};
    {pg_moves(parts)}
    INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT})
    SELECT agency_id, {per_bucket("COALESCE(sum(d) FILTER (WHERE b = {b!r}), 0)")}
    FROM (SELECT a.agency_id, {bucket("a", "m.pending")} AS b, m.d {moved}) AS s
    GROUP BY agency_id ORDER BY agency_id {ADD_AT};
    {pg_moves(parts)}
    INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
    SELECT {key("a", PG_UNDATED, "m.pending", "item_id")}, sum(m.d) {moved}
    GROUP BY 1, 2, 3 HAVING sum(m.d) <> 0 ORDER BY 1, 2, 3 {UPSERT_I.format(t=I_TALLY)};"""


AWAITING = ("office", "leader")  # the levels whose escalations await a decision
OPEN_E = "WHERE resolved_at IS NULL"
ADD_AW = "ON CONFLICT (agency_id) DO UPDATE SET " + ", ".join(
    f"{k} = {AWAITING_TALLY}.{k} + EXCLUDED.{k}" for k in AWAITING
)


def pg_awaiting(changes: str) -> str:
    """The awaiting escalations by agency moved by ``changes`` (rows of a level, an agency
    and +1 or -1), in agency order."""
    sums = ", ".join(f"COALESCE(sum(c.d) FILTER (WHERE l.kind = {k!r}), 0)" for k in AWAITING)
    return f"""INSERT INTO {AWAITING_TALLY} (agency_id, {", ".join(AWAITING)})
        SELECT c.agency_id, {sums}
        FROM ({changes}) AS c (level_id, agency_id, d) JOIN {LEVELS} l ON l.id = c.level_id
        WHERE l.kind IN {tuple(AWAITING)!r} GROUP BY 1 ORDER BY 1 {ADD_AW};"""


def pg_statement_triggers(name: str, table: str) -> list[str]:
    """The triggers that run ``dashboards_<name>_tally()`` after each statement that inserts,
    updates or deletes rows of ``table``, with the rows before (``before_rows``) and after
    (``after_rows``)."""
    tables = {
        "insert": "NEW TABLE AS after_rows",
        "update": "OLD TABLE AS before_rows NEW TABLE AS after_rows",
        "delete": "OLD TABLE AS before_rows",
    }
    return [
        f"""CREATE TRIGGER dashboards_{name}_tally_{op} AFTER {op.upper()} ON {table}
    REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION dashboards_{name}_tally()"""
        for op, rows in tables.items()
    ]


RELEVANT = ("agency_id", "item_id", "state", "due_date", "completed_on")
UPSERT_A = "ON CONFLICT (agency_id, bucket, due_date) DO UPDATE SET n = {t}.n + EXCLUDED.n"
UPSERT_I = "ON CONFLICT (item_id, bucket, due_date) DO UPDATE SET n = {t}.n + EXCLUDED.n"
UPSERT_E = "ON CONFLICT (level_id, agency_id) DO UPDATE SET n = {t}.n + EXCLUDED.n"

POSTGRESQL = [
    # Assignments: a statement's inserted rows counted at once (a broadcast, the generator's
    # COPY), in key order; an update of a counted column row by row, the two rows it moves
    # changed in key order (two writers never wait for each other in turn); deletes at once.
    f"""CREATE FUNCTION dashboards_assignment_tally_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    SELECT {key("r", PG_UNDATED, "FALSE")}, count(*) FROM inserted r
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 {UPSERT_A.format(t=A_TALLY)};
    INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT}) {by_agency("inserted")} {ADD_AT};
    INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
    SELECT {key("r", PG_UNDATED, "FALSE", "item_id")}, count(*) FROM inserted r
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 {UPSERT_I.format(t=I_TALLY)};
    RETURN NULL; END $$""",
    f"""CREATE TRIGGER dashboards_assignment_tally_insert AFTER INSERT ON {ASSIGNMENTS}
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION dashboards_assignment_tally_insert()""",
    f"""CREATE FUNCTION dashboards_assignment_tally_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        pending boolean := {pending_of("OLD")};
        was_bucket text := {bucket("OLD", "pending")};
        was_due date := {due("OLD", PG_UNDATED, "pending")};
        now_bucket text := {bucket("NEW", "pending")};
        now_due date := {due("NEW", PG_UNDATED, "pending")};
    BEGIN
    IF (OLD.agency_id, OLD.item_id, was_bucket, was_due)
        = (NEW.agency_id, NEW.item_id, now_bucket, now_due) THEN
        RETURN NULL;
    END IF;
    IF (OLD.agency_id, was_bucket, was_due) < (NEW.agency_id, now_bucket, now_due) THEN
        UPDATE {A_TALLY} SET n = n - 1
        WHERE agency_id = OLD.agency_id AND bucket = was_bucket AND due_date = was_due;
    END IF;
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    VALUES (NEW.agency_id, now_bucket, now_due, 1) {UPSERT_A.format(t=A_TALLY)};
    IF (OLD.agency_id, was_bucket, was_due) > (NEW.agency_id, now_bucket, now_due) THEN
        UPDATE {A_TALLY} SET n = n - 1
        WHERE agency_id = OLD.agency_id AND bucket = was_bucket AND due_date = was_due;
    END IF;
    IF (OLD.agency_id, was_bucket) <> (NEW.agency_id, now_bucket) THEN
        -- The agencies' rows, in agency order (one, when the work stays in its agency).
        INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT})
        SELECT agency_id, {per_bucket("COALESCE(sum(d) FILTER (WHERE b = {b!r}), 0)")}
        FROM (VALUES (OLD.agency_id, was_bucket, -1), (NEW.agency_id, now_bucket, 1))
            AS moves (agency_id, b, d)
        GROUP BY agency_id ORDER BY agency_id {ADD_AT};
    END IF;
    -- The items' rows, in key order.
    INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
    SELECT item_id, b, due, sum(d)
    FROM (VALUES (OLD.item_id, was_bucket, was_due, -1), (NEW.item_id, now_bucket, now_due, 1))
        AS moves (item_id, b, due, d)
    GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3 {UPSERT_I.format(t=I_TALLY)};
    RETURN NULL; END $$""",
    f"""CREATE TRIGGER dashboards_assignment_tally_update AFTER UPDATE ON {ASSIGNMENTS}
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in RELEVANT)})
    EXECUTE FUNCTION dashboards_assignment_tally_update()""",
    f"""CREATE FUNCTION dashboards_assignment_tally_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    UPDATE {A_TALLY} t SET n = t.n - d.n
    FROM (SELECT {key("r", PG_UNDATED, "FALSE")}, count(*) AS n FROM deleted r
          GROUP BY 1, 2, 3) AS d (agency_id, bucket, due_date, n)
    WHERE t.agency_id = d.agency_id AND t.bucket = d.bucket AND t.due_date = d.due_date;
    INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT}) {by_agency("deleted", "-")} {ADD_AT};
    INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
    SELECT {key("r", PG_UNDATED, "FALSE", "item_id")}, -count(*) FROM deleted r
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 {UPSERT_I.format(t=I_TALLY)};
    RETURN NULL; END $$""",
    f"""CREATE TRIGGER dashboards_assignment_tally_delete AFTER DELETE ON {ASSIGNMENTS}
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION dashboards_assignment_tally_delete()""",
    # Escalations: every statement's open rows before and after, counted per level and agency
    # at once (the sweep inserts and resolves them by the thousand in one statement).
    f"""CREATE FUNCTION dashboards_escalation_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {E_TALLY} (level_id, agency_id, n)
        SELECT level_id, agency_id, count(*) FROM after_rows WHERE resolved_at IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2 {UPSERT_E.format(t=E_TALLY)};
        {pg_awaiting(f"SELECT level_id, agency_id, 1 FROM after_rows {OPEN_E}")}
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {E_TALLY} (level_id, agency_id, n)
        SELECT level_id, agency_id, sum(d) FROM (
            SELECT level_id, agency_id, -1 AS d FROM before_rows WHERE resolved_at IS NULL
            UNION ALL SELECT level_id, agency_id, 1 FROM after_rows WHERE resolved_at IS NULL
        ) AS changes GROUP BY 1, 2 HAVING sum(d) <> 0
        ORDER BY 1, 2 {UPSERT_E.format(t=E_TALLY)};
        {
        pg_awaiting(
            f"SELECT level_id, agency_id, -1 FROM before_rows {OPEN_E} "
            f"UNION ALL SELECT level_id, agency_id, 1 FROM after_rows {OPEN_E}"
        )
    }
    ELSE
        INSERT INTO {E_TALLY} (level_id, agency_id, n)
        SELECT level_id, agency_id, -count(*) FROM before_rows WHERE resolved_at IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2 {UPSERT_E.format(t=E_TALLY)};
        {pg_awaiting(f"SELECT level_id, agency_id, -1 FROM before_rows {OPEN_E}")}
    END IF;
    RETURN NULL; END $$""",
    *pg_statement_triggers("escalation", ESCALATIONS),
    # Extension requests: a request that becomes pending (or stops being) moves its open
    # assignment into "extension" (or back), whatever the statement (the generator inserts
    # thousands at once). The assignments are locked first, so that a concurrent change of
    # theirs is counted after this one, by its own trigger.
    f"""CREATE FUNCTION dashboards_extension_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    IF TG_OP = 'INSERT' THEN {pg_extension_moves(pg_parts("after_rows", 1))}
    ELSIF TG_OP = 'UPDATE' THEN {
        pg_extension_moves(pg_parts("before_rows", -1) + pg_parts("after_rows", 1))
    }
    ELSE {pg_extension_moves(pg_parts("before_rows", -1))}
    END IF;
    RETURN NULL; END $$""",
    *pg_statement_triggers("extension", EXTENSIONS),
]
TABLES = {"assignment": ASSIGNMENTS, "escalation": ESCALATIONS, "extension": EXTENSIONS}
# A level given another kind moves its open escalations between the awaiting columns (its
# per-level tally holds how many each agency has).
LEVEL_MOVES = ", ".join(
    f"sum(t.n * ((n.kind = {k!r})::int - (o.kind = {k!r})::int))" for k in AWAITING
)
POSTGRESQL += [
    f"""CREATE FUNCTION dashboards_level_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO {AWAITING_TALLY} (agency_id, {", ".join(AWAITING)})
    SELECT t.agency_id, {LEVEL_MOVES}
    FROM before_rows o JOIN after_rows n ON n.id = o.id JOIN {E_TALLY} t ON t.level_id = n.id
    WHERE o.kind IS DISTINCT FROM n.kind GROUP BY 1 ORDER BY 1 {ADD_AW};
    RETURN NULL; END $$""",
    f"""CREATE TRIGGER dashboards_level_tally_update AFTER UPDATE ON {LEVELS}
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT
    EXECUTE FUNCTION dashboards_level_tally()""",
]
POSTGRESQL_DROP = (
    [
        f"DROP TRIGGER IF EXISTS dashboards_{name}_tally_{op} ON {table}"
        for name, table in TABLES.items()
        for op in ("insert", "update", "delete")
    ]
    + [f"DROP TRIGGER IF EXISTS dashboards_level_tally_update ON {LEVELS}"]
    + [
        f"DROP FUNCTION IF EXISTS dashboards_{name}()"
        for name in (
            "assignment_tally_insert",
            "assignment_tally_update",
            "assignment_tally_delete",
            "escalation_tally",
            "extension_tally",
            "level_tally",
        )
    ]
)

SQLITE_UPSERT_A = "ON CONFLICT (agency_id, bucket, due_date) DO UPDATE SET n = n + excluded.n"
SQLITE_UPSERT_I = "ON CONFLICT (item_id, bucket, due_date) DO UPDATE SET n = n + excluded.n"
SQLITE_UNDATED = "'0001-01-01'"


def sqlite_item(r: str, sign: int) -> str:
    """Count the row ``r`` (NEW: ``sign`` 1; OLD: -1) in or out of its item's dated row."""
    if sign > 0:
        return (
            f"INSERT INTO {I_TALLY} (item_id, bucket, due_date, n) "
            f"VALUES ({key(r, SQLITE_UNDATED, by='item_id')}, 1) {SQLITE_UPSERT_I}"
        )
    return (
        f"UPDATE {I_TALLY} SET n = n - 1 WHERE (item_id, bucket, due_date) = "
        f"({key(r, SQLITE_UNDATED, by='item_id')})"
    )


SQLITE_UPSERT_E = "ON CONFLICT (level_id, agency_id) DO UPDATE SET n = n + 1"


def sqlite_add(r: str) -> str:
    """Count the row ``r`` (NEW) in its agency's row."""
    ones = per_bucket(f"({bucket(r)}) = {{b!r}}")
    return (
        f"INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT}) VALUES ({r}.agency_id, {ones}) "
        f"ON CONFLICT (agency_id) DO UPDATE SET "
        f"{', '.join(f'{b} = {b} + excluded.{b}' for b in BUCKETS)}"
    )


def sqlite_remove(r: str) -> str:
    """Count the row ``r`` (OLD) out of its agency's row."""
    minus = ", ".join(f"{b} = {b} - (({bucket(r)}) = {b!r})" for b in BUCKETS)
    return f"UPDATE {AGENCY_TALLY} SET {minus} WHERE agency_id = {r}.agency_id"


def sqlite_move(request: str, was: str, now: str) -> str:
    """The statements that move the assignment of the extension request ``request`` (OLD or
    NEW) from its rows as it was (``was``: SQL, whether it had a pending request) to its rows
    as it is (``now``)."""
    one = f"FROM {ASSIGNMENTS} a WHERE a.id = {request}.assignment_id"
    minus = ", ".join(f"{b} = {b} - (s.b = {b!r})" for b in BUCKETS)
    ones = per_bucket(f"({bucket('a', now)}) = {{b!r}}")
    return f"""
    UPDATE {A_TALLY} SET n = n - 1
    WHERE (agency_id, bucket, due_date) = (SELECT {key("a", "'0001-01-01'", was)} {one});
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    SELECT {key("a", "'0001-01-01'", now)}, 1 {one} {SQLITE_UPSERT_A};
    UPDATE {AGENCY_TALLY} SET {minus}
    FROM (SELECT a.agency_id, {bucket("a", was)} AS b {one}) AS s
    WHERE {AGENCY_TALLY}.agency_id = s.agency_id;
    INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT}) SELECT a.agency_id, {ones} {one}
    ON CONFLICT (agency_id) DO UPDATE SET
    {", ".join(f"{b} = {b} + excluded.{b}" for b in BUCKETS)};
    UPDATE {I_TALLY} SET n = n - 1
    WHERE (item_id, bucket, due_date) = (SELECT {key("a", SQLITE_UNDATED, was, "item_id")} {one});
    INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
    SELECT {key("a", SQLITE_UNDATED, now, "item_id")}, 1 {one} {SQLITE_UPSERT_I};"""


def sqlite_awaiting(r: str, sign: int) -> str:
    """Count the escalation ``r`` (NEW: ``sign`` 1; OLD: -1) in or out of its agency's
    awaiting row, if it is open at an awaiting level."""
    ones = ", ".join(f"{sign} * (l.kind = {k!r})" for k in AWAITING)
    return f"""INSERT INTO {AWAITING_TALLY} (agency_id, {", ".join(AWAITING)})
    SELECT {r}.agency_id, {ones} FROM {LEVELS} l
    WHERE l.id = {r}.level_id AND l.kind IN {tuple(AWAITING)!r} AND {r}.resolved_at IS NULL
    ON CONFLICT (agency_id) DO UPDATE SET
    {", ".join(f"{k} = {k} + excluded.{k}" for k in AWAITING)}"""


def sqlite_pending(r: str) -> str:
    return f"({r}.status IN {PENDING})"


SQLITE = [
    # One writer at a time: row by row.
    f"""CREATE TRIGGER dashboards_assignment_tally_insert AFTER INSERT ON {ASSIGNMENTS} BEGIN
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    VALUES ({key("NEW", "'0001-01-01'")}, 1) {SQLITE_UPSERT_A};
    {sqlite_add("NEW")};
    {sqlite_item("NEW", 1)}; END""",
    f"""CREATE TRIGGER dashboards_assignment_tally_update
    AFTER UPDATE OF {", ".join(RELEVANT)} ON {ASSIGNMENTS}
    WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RELEVANT)} BEGIN
    UPDATE {A_TALLY} SET n = n - 1 WHERE {match("OLD", "'0001-01-01'")};
    INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
    VALUES ({key("NEW", "'0001-01-01'")}, 1) {SQLITE_UPSERT_A};
    {sqlite_remove("OLD")};
    {sqlite_add("NEW")};
    {sqlite_item("OLD", -1)};
    {sqlite_item("NEW", 1)}; END""",
    f"""CREATE TRIGGER dashboards_assignment_tally_delete AFTER DELETE ON {ASSIGNMENTS} BEGIN
    UPDATE {A_TALLY} SET n = n - 1 WHERE {match("OLD", "'0001-01-01'")};
    {sqlite_remove("OLD")};
    {sqlite_item("OLD", -1)}; END""",
    f"""CREATE TRIGGER dashboards_escalation_tally_insert AFTER INSERT ON {ESCALATIONS}
    WHEN NEW.resolved_at IS NULL BEGIN
    INSERT INTO {E_TALLY} (level_id, agency_id, n) VALUES (NEW.level_id, NEW.agency_id, 1)
    {SQLITE_UPSERT_E};
    {sqlite_awaiting("NEW", 1)}; END""",
    f"""CREATE TRIGGER dashboards_escalation_tally_update
    AFTER UPDATE OF resolved_at, level_id, agency_id ON {ESCALATIONS}
    WHEN (OLD.resolved_at IS NULL) IS NOT (NEW.resolved_at IS NULL)
        OR OLD.level_id IS NOT NEW.level_id OR OLD.agency_id IS NOT NEW.agency_id BEGIN
    UPDATE {E_TALLY} SET n = n - 1
    WHERE level_id = OLD.level_id AND agency_id = OLD.agency_id AND OLD.resolved_at IS NULL;
    INSERT INTO {E_TALLY} (level_id, agency_id, n)
    SELECT NEW.level_id, NEW.agency_id, 1 WHERE NEW.resolved_at IS NULL
    {SQLITE_UPSERT_E};
    {sqlite_awaiting("OLD", -1)};
    {sqlite_awaiting("NEW", 1)}; END""",
    f"""CREATE TRIGGER dashboards_escalation_tally_delete AFTER DELETE ON {ESCALATIONS}
    WHEN OLD.resolved_at IS NULL BEGIN
    UPDATE {E_TALLY} SET n = n - 1
    WHERE level_id = OLD.level_id AND agency_id = OLD.agency_id;
    {sqlite_awaiting("OLD", -1)}; END""",
    f"""CREATE TRIGGER dashboards_level_tally_update AFTER UPDATE OF kind ON {LEVELS}
    WHEN OLD.kind IS NOT NEW.kind BEGIN
    INSERT INTO {AWAITING_TALLY} (agency_id, {", ".join(AWAITING)})
    SELECT t.agency_id, {
        ", ".join(f"t.n * ((NEW.kind = {k!r}) - (OLD.kind = {k!r}))" for k in AWAITING)
    }
    FROM {E_TALLY} t WHERE t.level_id = NEW.id
    ON CONFLICT (agency_id) DO UPDATE SET
    {", ".join(f"{k} = {k} + excluded.{k}" for k in AWAITING)}; END""",
    f"""CREATE TRIGGER dashboards_extension_tally_insert AFTER INSERT ON {EXTENSIONS}
    WHEN {sqlite_pending("NEW")} BEGIN {sqlite_move("NEW", "FALSE", "TRUE")} END""",
    f"""CREATE TRIGGER dashboards_extension_tally_update
    AFTER UPDATE OF status, assignment_id ON {EXTENSIONS}
    WHEN {sqlite_pending("OLD")} OR {sqlite_pending("NEW")} BEGIN
    {sqlite_move("OLD", sqlite_pending("OLD"), "FALSE")}
    {sqlite_move("NEW", "FALSE", sqlite_pending("NEW"))} END""",
    f"""CREATE TRIGGER dashboards_extension_tally_delete AFTER DELETE ON {EXTENSIONS}
    WHEN {sqlite_pending("OLD")} BEGIN {sqlite_move("OLD", "TRUE", "FALSE")} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS dashboards_{table}_tally_{op}"
    for table in TABLES
    for op in ("insert", "update", "delete")
] + ["DROP TRIGGER IF EXISTS dashboards_level_tally_update"]


def fill(undated: str) -> list[str]:
    """The tallies of the rows already there."""
    return [
        f"DELETE FROM {A_TALLY}",
        f"""INSERT INTO {A_TALLY} (agency_id, bucket, due_date, n)
        SELECT {key("a", undated)}, count(*) FROM {ASSIGNMENTS} a GROUP BY 1, 2, 3""",
        f"DELETE FROM {I_TALLY}",
        f"""INSERT INTO {I_TALLY} (item_id, bucket, due_date, n)
        SELECT {key("a", undated, by="item_id")}, count(*) FROM {ASSIGNMENTS} a
        GROUP BY 1, 2, 3""",
        f"DELETE FROM {AGENCY_TALLY}",
        f"""INSERT INTO {AGENCY_TALLY} ({COLUMNS_AT})
        SELECT agency_id, {per_bucket("sum(CASE WHEN b = {b!r} THEN 1 ELSE 0 END)")}
        FROM (SELECT a.agency_id, {bucket("a")} AS b FROM {ASSIGNMENTS} a) AS s
        GROUP BY agency_id""",
        f"DELETE FROM {AWAITING_TALLY}",
        f"""INSERT INTO {AWAITING_TALLY} (agency_id, {", ".join(AWAITING)})
        SELECT e.agency_id, {
            ", ".join(f"sum(CASE WHEN l.kind = {k!r} THEN 1 ELSE 0 END)" for k in AWAITING)
        }
        FROM {ESCALATIONS} e JOIN {LEVELS} l ON l.id = e.level_id
        WHERE e.resolved_at IS NULL AND l.kind IN {tuple(AWAITING)!r} GROUP BY e.agency_id""",
        f"DELETE FROM {E_TALLY}",
        f"""INSERT INTO {E_TALLY} (level_id, agency_id, n)
        SELECT level_id, agency_id, count(*) FROM {ESCALATIONS} WHERE resolved_at IS NULL
        GROUP BY level_id, agency_id""",
    ]


TRIGGERS = [
    f"dashboards_{table}_tally_{op}" for table in TABLES for op in ("insert", "update", "delete")
] + ["dashboards_level_tally_update"]


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection) -> bool:
    """Whether every trigger is in place (SQLite drops a table's triggers when a migration
    rebuilds the table: ``reinstall`` puts them back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'dashboards_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return set(TRIGGERS) <= {row[0] for row in cursor.fetchall()}


def install(connection) -> None:
    """Create the triggers (anew) and count the rows already there, in one transaction."""
    postgres = connection.vendor == "postgresql"
    if not postgres and connection.vendor != "sqlite":
        raise NotImplementedError("The tallies' triggers are written for PostgreSQL and SQLite.")
    with transaction.atomic(using=connection.alias):
        drop(connection)
        _run(connection, POSTGRESQL if postgres else SQLITE)
        _run(connection, fill("DATE '0001-01-01'" if postgres else "'0001-01-01'"))


def drop(connection) -> None:
    _run(connection, POSTGRESQL_DROP if connection.vendor == "postgresql" else SQLITE_DROP)


def reinstall(using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After ``migrate`` (post_migrate): the triggers again, and the counts, if a migration of
    another app rebuilt a counted table and took its triggers with it (SQLite does)."""
    connection = connections[using]
    if not _migrated(connection):
        return  # migrated back: the tables are not those these triggers write
    if not installed(connection):
        install(connection)


def _migrated(connection) -> bool:
    """Whether every migration of this app is applied (its tables are as this module writes)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return set(loader.graph.leaf_nodes("dashboards")) <= loader.applied_migrations.keys()


def register_totals() -> None:
    """Every assignment is in exactly one tally row: their sum is the table's count, which
    the lists take from here (``core.pagination.register_total``) instead of counting every
    row for the people who see them all."""
    from django.db.models import Sum

    from core.pagination import register_total
    from workflow.models import Assignment

    from .models import AssignmentTally

    register_total(Assignment, lambda: AssignmentTally.objects.aggregate(n=Sum("n"))["n"] or 0)
