#!/usr/bin/python3
"""The KPIs of the side-by-side benchmark as one SQL query in PostgreSQL (docs/benchmarks.md).

    postgres_kpis.py --csv FILE.csv [--repeat R] [--bindir DIR] [--workdir DIR]

Creates a throwaway cluster (initdb into a temporary directory, a server
listening only on a unix socket in that directory), COPYs the CSV into an
unlogged table, vacuums, analyses and prewarms it, then runs the one query R
times and prints one JSON object: the KPIs of the last run, the best query
time as measured by psql's \\timing (client round trip on the socket; COPY,
VACUUM and prewarm are not timed), the best processor time of the backend
over a query (utime + stime from /proc/self/stat, in clock ticks), and the
peak resident set of the backend that ran the queries (VmHWM, which counts
the shared buffers it touched).
The server is stopped and its directory deleted on exit, also on error.

Business time: a table of one row per UTC day built inside the query from
generate_series (each New York date's 09:00 and 17:00 converted with AT TIME
ZONE, the holidays as a date array, cumulative open seconds by a window sum),
folded into arrays and read by subscript at the UTC day of each ticket's
creation and first reply.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpicommon as kc  # noqa: E402

BINDIR = "/usr/lib/postgresql/15/bin"

SCHEMA = """
CREATE TYPE channel AS ENUM ('phone', 'chat', 'email', 'social', 'messaging');
CREATE TYPE priority AS ENUM ('urgent', 'high', 'normal', 'low');
CREATE UNLOGGED TABLE tickets (
  ticket_id bigint,
  created_at timestamptz NOT NULL,
  channel channel NOT NULL,
  priority priority,
  first_reply_at timestamptz,
  solved_at timestamptz,
  contacts integer NOT NULL,
  reopened boolean,
  escalated boolean,
  csat smallint,
  nps smallint,
  ces smallint,
  wait_seconds double precision,
  abandoned boolean NOT NULL,
  handle_seconds double precision,
  pending_seconds bigint
);
"""

# The schedule as one row per UTC day: in New York a local date's hours lie
# inside the UTC date of the same number, so the row of UTC day `dn` holds the
# opening instant of that date, its open length (0 on weekends and holidays)
# and the open seconds of all earlier days. The rows are folded into three
# arrays read by subscript (uncorrelated subqueries: computed once), which
# costs less than joining the table twice. OFFSET 0 keeps the planner from
# inlining the subqueries, which would evaluate each epoch conversion again
# wherever its column is used.
BUSINESS_CTES = """
WITH days AS (
  SELECT (date_part('epoch', d) / 86400)::int AS dn,
         date_part('epoch', (d::date + time '%(open)s') AT TIME ZONE '%(zone)s') AS opens,
         date_part('epoch', (d::date + time '%(close)s') AT TIME ZONE '%(zone)s') AS closes,
         extract(isodow FROM d) < 6 AND d::date <> ALL ('{%(holidays)s}'::date[]) AS open
  FROM generate_series(timestamp '2008-01-01', timestamp '2059-12-31', interval '1 day') AS g(d)
), sched AS (
  SELECT dn, opens, len, sum(len) OVER (ORDER BY dn) - len AS before
  FROM (SELECT dn, opens, CASE WHEN open THEN closes - opens ELSE 0 END AS len FROM days) x
), arr AS (
  SELECT min(dn) - 1 AS base, array_agg(opens ORDER BY dn) AS opens,
         array_agg(len ORDER BY dn) AS len, array_agg(before ORDER BY dn) AS before
  FROM sched
), t0 AS (
  SELECT ticket_id, abandoned, channel, priority, csat, nps, ces, contacts, wait_seconds, solved_at,
         date_part('epoch', created_at) AS c, date_part('epoch', first_reply_at) AS r
  FROM tickets OFFSET 0
), t1 AS (
  SELECT t0.*, r - c AS elapsed,
         floor(c / 86400)::int - (SELECT base FROM arr) AS ci,
         floor(r / 86400)::int - (SELECT base FROM arr) AS ri
  FROM t0 OFFSET 0
), b AS (
  SELECT t1.*,
         ((SELECT before FROM arr)[ri]
          + least(greatest(r - (SELECT opens FROM arr)[ri], 0), (SELECT len FROM arr)[ri]))
       - ((SELECT before FROM arr)[ci]
          + least(greatest(c - (SELECT opens FROM arr)[ci], 0), (SELECT len FROM arr)[ci]))
         AS business
  FROM t1
)"""

# The KPIs over b: counts, sums and the percentiles, then the JSON object.
AGGREGATE = """, k AS (
  SELECT
    count(*) AS rows,
    count(*) FILTER (WHERE NOT abandoned) AS tickets,
    count(*) FILTER (WHERE NOT abandoned AND csat >= 4) AS csat_num,
    count(csat) FILTER (WHERE NOT abandoned) AS csat_den,
    count(nps) FILTER (WHERE NOT abandoned) AS nps_n,
    count(*) FILTER (WHERE NOT abandoned AND nps >= 9) AS nps_promoters,
    count(*) FILTER (WHERE NOT abandoned AND nps <= 6) AS nps_detractors,
    count(ces) FILTER (WHERE NOT abandoned) AS ces_n,
    sum(ces) FILTER (WHERE NOT abandoned) AS ces_sum,
    count(*) FILTER (WHERE NOT abandoned AND solved_at IS NOT NULL AND contacts = 1) AS fcr_num,
    count(solved_at) FILTER (WHERE NOT abandoned) AS fcr_den,
    count(elapsed) FILTER (WHERE NOT abandoned) AS reply_n,
    sum(elapsed) FILTER (WHERE NOT abandoned) AS reply_sum,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY elapsed)
      FILTER (WHERE NOT abandoned) AS reply_q,
    count(business) FILTER (WHERE NOT abandoned) AS business_n,
    count(*) FILTER (WHERE r IS NOT NULL AND business IS NULL) AS business_unknown,
    sum(business) FILTER (WHERE NOT abandoned) AS business_sum,
    count(*) FILTER (WHERE channel IN ('phone', 'chat')
                       AND (wait_seconds IS NOT NULL OR abandoned)) AS offered,
    count(*) FILTER (WHERE channel IN ('phone', 'chat') AND abandoned) AS lost,
    count(*) FILTER (WHERE channel IN ('phone', 'chat') AND abandoned
                       AND wait_seconds < %(short)s) AS short,
    count(*) FILTER (WHERE NOT abandoned AND r IS NOT NULL AND priority = 'urgent') AS urgent_total,
    count(*) FILTER (WHERE NOT abandoned AND priority = 'urgent'
                       AND elapsed <= %(urgent)s) AS urgent_achieved,
    count(*) FILTER (WHERE NOT abandoned AND r IS NOT NULL AND priority = 'high') AS high_total,
    count(*) FILTER (WHERE NOT abandoned AND priority = 'high'
                       AND elapsed <= %(high)s) AS high_achieved,
    count(*) FILTER (WHERE NOT abandoned AND r IS NOT NULL AND priority = 'normal') AS normal_total,
    count(*) FILTER (WHERE NOT abandoned AND priority = 'normal'
                       AND business <= %(normal)s) AS normal_achieved,
    count(*) FILTER (WHERE NOT abandoned AND r IS NOT NULL AND priority = 'low') AS low_total,
    count(*) FILTER (WHERE NOT abandoned AND priority = 'low'
                       AND business <= %(low)s) AS low_achieved
  FROM b
)
SELECT json_build_object(
  'rows', rows,
  'tickets', tickets,
  'csat', json_build_object('num', csat_num, 'den', csat_den,
                            'value', csat_num::float8 / nullif(csat_den, 0)),
  'nps', json_build_object('n', nps_n, 'promoters', nps_promoters, 'detractors', nps_detractors,
                           'score', 100.0::float8 * (nps_promoters - nps_detractors)
                                    / nullif(nps_n, 0)),
  'ces', json_build_object('n', ces_n, 'mean', ces_sum::float8 / nullif(ces_n, 0)),
  'fcr', json_build_object('num', fcr_num, 'den', fcr_den,
                           'value', fcr_num::float8 / nullif(fcr_den, 0)),
  'first_reply', json_build_object('n', reply_n, 'mean_seconds', reply_sum / nullif(reply_n, 0),
                                   'median_seconds', reply_q[1], 'p90_seconds', reply_q[2]),
  'first_reply_business', json_build_object('n', business_n, 'total_seconds', business_sum,
                                            'mean_seconds', business_sum / nullif(business_n, 0)),
  'business_unknown', business_unknown,
  'abandonment', json_build_object('num', lost - short, 'den', offered - short,
                                   'value', (lost - short)::float8 / nullif(offered - short, 0)),
  'sla_first_reply', json_build_object(
    'urgent', json_build_object('achieved', urgent_achieved, 'total', urgent_total,
                                'value', urgent_achieved::float8 / nullif(urgent_total, 0)),
    'high', json_build_object('achieved', high_achieved, 'total', high_total,
                              'value', high_achieved::float8 / nullif(high_total, 0)),
    'normal', json_build_object('achieved', normal_achieved, 'total', normal_total,
                                'value', normal_achieved::float8 / nullif(normal_total, 0)),
    'low', json_build_object('achieved', low_achieved, 'total', low_total,
                             'value', low_achieved::float8 / nullif(low_total, 0))))
FROM k;
"""


def query_text(tail=None):
    """The one query; with tail, the schedule CTEs followed by tail instead of the KPIs."""
    text = BUSINESS_CTES + (AGGREGATE if tail is None else tail)
    return text % {
        "zone": kc.ZONE,
        "open": "%02d:00" % kc.OPEN_HOUR,
        "close": "%02d:00" % kc.CLOSE_HOUR,
        "holidays": ",".join(str(d) for d in kc.load_holidays()),
        "short": repr(kc.SHORT_ABANDON_SECONDS),
        "urgent": kc.SLA_TARGETS["urgent"][0],
        "high": kc.SLA_TARGETS["high"][0],
        "normal": kc.SLA_TARGETS["normal"][0],
        "low": kc.SLA_TARGETS["low"][0],
    }


class Cluster:
    """A throwaway PostgreSQL cluster on a unix socket in a temporary directory."""

    def __init__(self, bindir=BINDIR, parent=None, settings=None):
        self.bindir = bindir
        self.parent = parent
        self.settings = dict(settings or {})
        self.dir = None
        self.running = False

    def _server_cmd(self, *args):
        # initdb and the server refuse to run as root: use the postgres account then.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + list(args)
        return list(args)

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="cm-pg-", dir=self.parent)
        try:
            data = os.path.join(self.dir, "data")
            os.mkdir(data, 0o700)
            if os.geteuid() == 0:
                import pwd

                pw = pwd.getpwnam("postgres")
                os.chmod(self.dir, 0o755)
                os.chown(data, pw.pw_uid, pw.pw_gid)
            subprocess.run(
                self._server_cmd(
                    os.path.join(self.bindir, "initdb"), "-D", data, "-U", "postgres",
                    "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
                ),
                check=True, stdout=subprocess.DEVNULL, cwd="/",
            )
            opts = {
                "listen_addresses": "''",
                "unix_socket_directories": "'%s'" % data,
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "autovacuum": "off",
            }
            opts.update(self.settings)
            self.socket = data
            subprocess.run(
                self._server_cmd(
                    os.path.join(self.bindir, "pg_ctl"), "-D", data, "-w", "-s",
                    "-l", os.path.join(data, "server.log"),
                    "-o", " ".join("-c %s=%s" % kv for kv in opts.items()), "start",
                ),
                check=True, cwd="/",
            )
            self.running = True
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def psql(self, *args, input=None):
        cmd = [
            os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-h", self.socket,
            "-U", "postgres", "-v", "ON_ERROR_STOP=1",
        ] + list(args)
        p = subprocess.run(cmd, input=input, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("psql failed: %s" % p.stderr.strip())
        return p.stdout

    def __exit__(self, *exc):
        if self.running:
            subprocess.run(
                self._server_cmd(
                    os.path.join(self.bindir, "pg_ctl"), "-D", self.socket, "-w", "-s",
                    "-m", "fast", "stop",
                ),
                cwd="/",
            )
            self.running = False
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True, metavar="FILE")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bindir", default=BINDIR)
    ap.add_argument("--workdir", metavar="DIR", help="parent of the cluster directory")
    ap.add_argument("--jit", choices=("on", "off"), default="off")
    args = ap.parse_args()

    csv_bytes = os.path.getsize(args.csv)
    # The table is about 1.05 times the CSV: keep it all in shared buffers.
    shared_mb = max(128, int(csv_bytes * 1.3 / 2**20))
    settings = {
        "shared_buffers": "%dMB" % shared_mb,
        "work_mem": "'1GB'",
        "max_parallel_workers_per_gather": "0",
        "jit": args.jit,
    }
    query = query_text()
    with Cluster(args.bindir, args.workdir, settings) as pg:
        t0 = time.perf_counter()
        pg.psql("-c", SCHEMA)
        path = args.csv.replace("'", "''")
        pg.psql("-c", "\\copy tickets FROM '%s' WITH (FORMAT csv, HEADER true)" % path)
        pg.psql(
            "-c", "VACUUM (FREEZE, ANALYZE) tickets",
            "-c", "CREATE EXTENSION pg_prewarm",
            "-c", "SELECT pg_prewarm('tickets')",
        )
        load_seconds = time.perf_counter() - t0
        # Each query is preceded and followed by the backend's /proc/self/stat,
        # whose utime + stime give its processor time.
        stat = "SELECT 'STAT ' || pg_read_file('/proc/self/stat')"
        script = ["-c", "\\timing on", "-c", stat]
        for _ in range(args.repeat):
            script += ["-c", query, "-c", stat]
        script += ["-c", "SELECT pg_read_file('/proc/self/status')", "-c", "SELECT version()"]
        out = pg.psql(*script)
    runs, cpu, results, ticks, last = [], [], [], [], None
    for line in out.splitlines():
        if line.startswith("STAT "):
            # fields after the ")" of the command name: utime and stime are the 12th and 13th
            f = line[line.rindex(")") + 2:].split()
            ticks.append(int(f[11]) + int(f[12]))
            if len(ticks) >= 2:
                cpu.append((ticks[-1] - ticks[-2]) / os.sysconf("SC_CLK_TCK"))
        elif line.startswith("{"):
            results.append(line)
        m = re.match(r"Time: ([0-9.]+) ms", line)
        if m and last is not None and last.startswith("{"):
            runs.append(float(m.group(1)) / 1000.0)
        if line.strip():
            last = line
    hwm = re.search(r"^VmHWM:\s*(\d+) kB", out, re.M)
    version = re.search(r"^PostgreSQL \S+", out, re.M)
    if len(results) != args.repeat or len(runs) != args.repeat or len(cpu) != args.repeat or not hwm:
        sys.exit("postgres_kpis: unexpected psql output:\n" + out)
    kpis = json.loads(results[-1])
    if kpis.pop("business_unknown") != 0:
        sys.exit("postgres_kpis: an instant lies outside the schedule table")
    kpis.update(
        threads=1,
        compute_seconds=min(runs),
        compute_cpu_seconds=min(cpu),
        runs=runs,
        load_seconds=load_seconds,
        peak_rss_kb=int(hwm.group(1)),
        settings={k: v.strip("'") for k, v in settings.items()},
        postgres=version.group(0) if version else None,
    )
    print(kc.dump(kpis))


if __name__ == "__main__":
    main()
