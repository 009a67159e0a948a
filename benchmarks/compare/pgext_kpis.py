#!/usr/bin/python3
"""The KPIs of the side-by-side benchmark in PostgreSQL with the caremetrics extension.

    pgext_kpis.py --csv FILE.csv --build-dir DIR [--repeat R] [--workers N]
                  [--parallel-workers N] [--workdir DIR]

Creates a throwaway cluster with the extension built in DIR installed in it
(bindings/postgresql/tests/pgcluster.py: a temporary tree, a unix socket
only), COPYs the CSV into the same unlogged table as postgres_kpis.py,
vacuums, analyses and prewarms it, runs CREATE EXTENSION caremetrics, then
runs each query R times in one session (as postgres_kpis.py does) and prints
one JSON object like postgres_kpis.py: the KPIs, the best query time as
measured by psql's \\timing, the processor time of the query (the backend's
own utime + stime from /proc/self/stat around each run, plus that of its
parallel workers, if any: the growth of the server's reaped children's
utime + stime), and the peak resident set of the backend (VmHWM).

The timed query is one call of the whole-row aggregate cm_report over every
column (the priority enum included), with the benchmark's calendar file
and SLA policy, exact quantiles of the first reply and the first-reply
durations only (the benchmark's KPIs); its composite result gives every KPI.
It runs with --workers parallel workers at most (default 0: one process,
like the plain query). For comparison the same run also times the query
that uses one aggregate of the extension per KPI (cm_csat, cm_nps, cm_ces,
cm_rate, cm_art, cm_quantiles_exact and cm_business_seconds), and the
cm_report query again with up to --parallel-workers workers (default 2;
every aggregate of the extension runs in them), and checks that all of them
give the same KPIs.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE_ROOT, "bindings", "postgresql", "tests"))
import kpicommon as kc  # noqa: E402
import pgcluster  # noqa: E402
import postgres_kpis as plain  # noqa: E402

# The whole-row report: one aggregate call per row, every KPI from its result.
REPORT_QUERY = """
SELECT json_build_object(
  'rows', (r).rows + (r).bad_rows, 'tickets', (r).tickets,
  'csat', json_build_object('num', (r).csat_satisfied, 'den', (r).csat_n,
                            'value', (r).csat_value),
  'nps', json_build_object('n', (r).nps_n, 'promoters', (r).nps_promoters,
                           'detractors', (r).nps_detractors, 'score', (r).nps_score),
  'ces', json_build_object('n', (r).ces_n, 'mean', (r).ces_mean),
  'fcr', json_build_object('num', (r).fcr_num, 'den', (r).fcr_den, 'value', (r).fcr_value),
  'first_reply', json_build_object('n', (r).first_reply_n,
                                   'mean_seconds', (r).first_reply_mean_seconds,
                                   'median_seconds', (r).first_reply_median_seconds,
                                   'p90_seconds', (r).first_reply_p90_seconds),
  'first_reply_business', json_build_object(
    'n', (r).first_reply_business_n,
    'total_seconds', (r).first_reply_business_total_seconds,
    'mean_seconds', (r).first_reply_business_mean_seconds),
  'abandonment', json_build_object('num', (r).abandonment_num, 'den', (r).abandonment_den,
                                   'value', (r).abandonment_value),
  'sla_first_reply', json_build_object(%(report_sla)s))
FROM (
  SELECT cm_report(created_at, first_reply_at, solved_at, contacts, reopened, escalated,
                   abandoned, csat, nps, ces, wait_seconds, handle_seconds, priority,
                   cm_report_options(calendar => %(calendar)s, policy => %(policy)s,
                                     quantiles => 'exact',
                                     durations => '{first_reply,first_reply_business}',
                                     quantile_durations => '{first_reply}',
                                     short_abandon_seconds => %(short)s)) AS r
  FROM tickets
) k;
"""

# One aggregate of the extension per KPI.
AGGREGATES_QUERY = """
SELECT json_build_object(
  'rows', rows, 'tickets', tickets,
  'csat', json_build_object('num', (csat).satisfied, 'den', (csat).n, 'value', (csat).value),
  'nps', json_build_object('n', (nps).n, 'promoters', (nps).promoters,
                           'detractors', (nps).detractors, 'score', (nps).score),
  'ces', json_build_object('n', (ces).n, 'mean', (ces).mean),
  'fcr', json_build_object('num', (fcr).num, 'den', (fcr).den, 'value', (fcr).value),
  'first_reply', json_build_object('n', (reply).n, 'mean_seconds', (reply).mean_seconds,
                                   'median_seconds', reply_q[1], 'p90_seconds', reply_q[2]),
  'first_reply_business', json_build_object('n', (business).n,
                                            'total_seconds', (business).total_seconds,
                                            'mean_seconds', (business).mean_seconds),
  'abandonment', json_build_object('num', (lost).num, 'den', (lost).den, 'value', (lost).value),
  'sla_first_reply', json_build_object(%(sla)s))
FROM (
  SELECT
    count(*) AS rows,
    count(*) FILTER (WHERE NOT abandoned) AS tickets,
    cm_csat(csat) FILTER (WHERE NOT abandoned) AS csat,
    cm_nps(nps) FILTER (WHERE NOT abandoned) AS nps,
    cm_ces(ces) FILTER (WHERE NOT abandoned) AS ces,
    cm_rate(contacts = 1) FILTER (WHERE NOT abandoned AND solved_at IS NOT NULL) AS fcr,
    cm_art(elapsed) FILTER (WHERE NOT abandoned) AS reply,
    cm_quantiles_exact(elapsed, '{0.5,0.9}') FILTER (WHERE NOT abandoned) AS reply_q,
    cm_art(business) FILTER (WHERE NOT abandoned) AS business,
    cm_rate(abandoned) FILTER (WHERE channel IN ('phone', 'chat')
                                 AND (wait_seconds IS NOT NULL OR abandoned)
                                 AND NOT (abandoned AND wait_seconds < %(short)s)) AS lost,
    %(sla_rates)s
  FROM tickets,
       LATERAL (VALUES ((date_part('epoch', first_reply_at)
                         - date_part('epoch', created_at))::bigint,
                        cm_business_seconds(%(calendar)s, created_at, first_reply_at)))
         AS v(elapsed, business)
) k;
"""


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def policy_text():
    """The benchmark's first-reply targets as an SLA policy (docs/sla.md)."""
    return "".join("first-reply %s %ds %s\n" % (p, seconds, "business" if business else "calendar")
                   for p, (seconds, business) in kc.SLA_TARGETS.items())


def query_text(which="report"):
    """The query of the whole-row report (which="report") or of one aggregate per KPI."""
    with open(kc.CALENDAR_FILE) as f:
        spec = f.read()
    if which == "report":
        sla = ",\n    ".join(
            "'%s', json_build_object('achieved', (r).reply_within_%s_num,"
            " 'total', (r).reply_within_%s_den, 'value', (r).reply_within_%s_value)"
            % ((p,) * 4) for p in kc.PRIORITIES)
        return REPORT_QUERY % {"calendar": quote(spec), "policy": quote(policy_text()),
                               "report_sla": sla, "short": repr(kc.SHORT_ABANDON_SECONDS)}
    # SLA attainment per priority: a rate of replies within the target, in calendar
    # or business seconds.
    sla = ",\n    ".join(
        "'%s', json_build_object('achieved', (s_%s).num, 'total', (s_%s).den,"
        " 'value', (s_%s).value)" % ((p,) * 4) for p in kc.PRIORITIES)
    sla_rates = ",\n    ".join(
        "cm_rate(%s <= %d) FILTER (WHERE NOT abandoned AND priority = '%s'"
        " AND first_reply_at IS NOT NULL) AS s_%s"
        % ("business" if business else "elapsed", seconds, p, p)
        for p, (seconds, business) in kc.SLA_TARGETS.items())
    return AGGREGATES_QUERY % {
        "calendar": quote(spec),
        "sla": sla,
        "sla_rates": sla_rates,
        "short": repr(kc.SHORT_ABANDON_SECONDS),
    }


def built(build_dir):
    """The extension's files in a build directory, or None when it was not built."""
    ext = os.path.join(build_dir, "bindings", "postgresql")
    files = {
        "module": os.path.join(ext, "caremetrics.so"),
        "control": os.path.join(ext, "caremetrics.control"),
        "library": None,
        "script": None,
    }
    if os.path.isdir(ext):
        for name in os.listdir(ext):
            if re.fullmatch(r"caremetrics--[0-9.]+\.sql", name):
                files["script"] = os.path.join(ext, name)
    lib = os.path.join(build_dir, "lib")
    if os.path.isdir(lib):
        names = sorted(n for n in os.listdir(lib) if re.fullmatch(r"libcaremetrics\.so\.\d+\.\d+\.\d+", n))
        if names:
            files["library"] = os.path.join(lib, names[-1])
    if not all(files.values()) or not all(os.path.exists(p) for p in files.values()):
        return None
    return files


def pg_config(flag):
    return subprocess.run(["pg_config", flag], capture_output=True, text=True).stdout.strip()


def children_cpu(pid):
    """utime + stime of the reaped children of a process (its cutime + cstime), in ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[13]) + int(fields[14])


LABEL = "PostgreSQL 15 + caremetrics"
TIMED = ("the one SQL query with the whole-row aggregate cm_report, psql \\timing round trip,"
         " runs in one session as for postgres (COPY, VACUUM, prewarm not timed); cpu s:"
         " backend and its parallel workers, if any")


def run_peer(peer, run_child, data, repeat, workdir, build_dir):
    """The compare script's peer: fills and returns `peer` (its Peer object)."""
    if built(build_dir) is None or not os.access(os.path.join(plain.BINDIR, "postgres"), os.X_OK):
        peer.note = "pgext: not available (the extension is not built in %s)" % build_dir
        return peer
    cmd = [sys.executable, os.path.abspath(__file__), "--csv", data["csv"], "--repeat",
           str(repeat), "--build-dir", build_dir]
    if workdir:
        cmd += ["--workdir", workdir]
    rc, out, err, _, _ = run_child(cmd)
    if rc != 0:
        sys.exit("compare: PostgreSQL + caremetrics peer failed:\n" + err)
    k = json.loads(out[out.index("{"):])
    peer.kpis, peer.seconds, peer.cpu = k, k["compute_seconds"], k["compute_cpu_seconds"]
    peer.rss_kb = k["peak_rss_kb"]
    peer.extra = {key: k[key] for key in ("runs", "load_seconds", "settings", "postgres",
                                          "threads", "parallel_plan", "per_kpi_aggregates",
                                          "parallel")}
    return peer


def stat_ticks(line, reaped):
    """Processor time in a /proc/PID/stat text, in clock ticks: the process's own
    utime + stime, or with reaped its reaped children's (cutime + cstime)."""
    fields = line[line.rindex(")") + 2:].split()
    return int(fields[13]) + int(fields[14]) if reaped else int(fields[11]) + int(fields[12])


def run_query(pg, postmaster, query, repeat, workers):
    """Runs query `repeat` times in one session, with at most `workers` parallel
    workers: its plan, KPIs, times, processor times and the backend's peak RSS.

    Like postgres_kpis.py, every run is in the same session, so the runs after
    the first find the session set up (the shared buffers mapped into the
    backend, the catalog cached, the extension loaded). The processor time of a
    run is the backend's own (its /proc/self/stat before and after) plus that of
    its parallel workers, which have exited and been reaped by the server when
    the query ends: the growth of the postmaster's cutime + cstime (read after a
    pause that leaves the server time to reap them)."""
    setting = "SET max_parallel_workers_per_gather = %d" % workers
    plan = pg.psql(setting + "; EXPLAIN (COSTS OFF) " + query)
    mine = "SELECT 'STAT ' || pg_read_file('/proc/self/stat')"
    server = "SELECT 'PMSTAT ' || pg_read_file('/proc/%d/stat')" % postmaster
    script = ["-c", setting]
    for _ in range(repeat):
        script += ["-c", mine, "-c", server, "-c", "\\timing on", "-c", query,
                   "-c", "\\timing off", "-c", mine, "-c", "SELECT pg_sleep(0.25)", "-c", server]
    script += ["-c", "SELECT 'HWM ' || pg_read_file('/proc/self/status')"]
    out = subprocess.run(pg.psql_cmd(*script), capture_output=True, text=True, check=True).stdout
    own = [stat_ticks(line, False) for line in out.splitlines() if line.startswith("STAT ")]
    reaped = [stat_ticks(line, True) for line in out.splitlines() if line.startswith("PMSTAT ")]
    results = [line for line in out.splitlines() if line.startswith("{")]
    runs = [float(t) / 1000.0 for t in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    if not (len(own) == len(reaped) == 2 * repeat and len(results) == len(runs) == repeat):
        sys.exit("pgext_kpis: unexpected psql output:\n" + out)
    tick = os.sysconf("SC_CLK_TCK")
    cpu = [(own[2 * i + 1] - own[2 * i] + reaped[2 * i + 1] - reaped[2 * i]) / tick
           for i in range(repeat)]
    hwm = int(re.search(r"^VmHWM:\s*(\d+) kB", out, re.M).group(1))
    return {"plan": plan, "kpis": json.loads(results[-1]), "runs": runs, "cpu": cpu,
            "hwm": hwm, "workers": workers}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True, metavar="FILE")
    ap.add_argument("--build-dir", required=True, metavar="DIR")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=0,
                    help="parallel workers of the timed query (default 0, like the plain query)")
    ap.add_argument("--parallel-workers", type=int, default=2,
                    help="parallel workers of the same query timed for comparison (0: not run)")
    ap.add_argument("--workdir", metavar="DIR", help="parent of the cluster directory")
    args = ap.parse_args()

    files = built(args.build_dir)
    if files is None:
        sys.exit("pgext_kpis: the extension is not built in %s" % args.build_dir)
    shared_mb = max(128, int(os.path.getsize(args.csv) * 1.3 / 2**20))
    settings = {
        "shared_buffers": "%dMB" % shared_mb,
        "work_mem": "'1GB'",
        "max_parallel_workers_per_gather": str(args.workers),
        "jit": "off",
    }
    # (name, query, parallel workers allowed)
    queries = [("report", query_text("report"), args.workers),
               ("aggregates", query_text("aggregates"), args.workers)]
    if args.parallel_workers > 0 and args.parallel_workers != args.workers:
        queries.append(("parallel", query_text("report"), args.parallel_workers))
    cluster = pgcluster.Cluster(pg_config("--bindir"), pg_config("--pkglibdir"),
                                pg_config("--sharedir"), files["module"], files["library"],
                                files["control"], files["script"], settings, args.workdir)
    timed = {}
    with cluster as pg:
        t0 = time.perf_counter()
        pg.psql(plain.SCHEMA)
        path = args.csv.replace("'", "''")
        pg.psql("\\copy tickets FROM '%s' WITH (FORMAT csv, HEADER true)" % path)
        for sql in ("VACUUM (FREEZE, ANALYZE) tickets", "CREATE EXTENSION pg_prewarm",
                    "SELECT pg_prewarm('tickets')", "CREATE EXTENSION caremetrics"):
            pg.psql(sql)
        load_seconds = time.perf_counter() - t0
        with open(os.path.join(pg.socket, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        for name, query, workers in queries:
            timed[name] = run_query(pg, postmaster, query, args.repeat, workers)
        version = pg.psql("SELECT version()").strip()
    report = timed["report"]
    kpis = report["kpis"]
    others = {name: t["kpis"] for name, t in timed.items()}
    bad, _ = kc.compare_kpis(others)
    if bad:
        sys.exit("pgext_kpis: the queries with the extension disagree: %s" % bad)

    def planned(t):
        m = re.search(r"Workers Planned: (\d+)", t["plan"])
        return int(m.group(1)) if m else 0

    def summary(t):
        return {"compute_seconds": min(t["runs"]), "compute_cpu_seconds": min(t["cpu"]),
                "runs": t["runs"], "cpu": t["cpu"], "workers_allowed": t["workers"],
                "workers_planned": planned(t), "parallel_plan": "Partial Aggregate" in t["plan"]}

    kpis.update(
        threads=1 + planned(report),
        compute_seconds=min(report["runs"]),
        compute_cpu_seconds=min(report["cpu"]),
        runs=report["runs"],
        load_seconds=load_seconds,
        peak_rss_kb=report["hwm"],
        settings={k: v.strip("'") for k, v in settings.items()},
        parallel_plan="Partial Aggregate" in report["plan"],
        postgres=re.match(r"PostgreSQL \S+", version).group(0),
        per_kpi_aggregates=summary(timed["aggregates"]),
        parallel=summary(timed["parallel"]) if "parallel" in timed else None,
    )
    print(kc.dump(kpis))


if __name__ == "__main__":
    main()
