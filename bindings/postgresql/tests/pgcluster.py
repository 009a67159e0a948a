"""A throwaway PostgreSQL cluster with the caremetrics extension installed in it.

PostgreSQL 15 reads extension control files from its share directory only,
and finds that directory relative to the server binary (a relocatable
installation). So the cluster runs a copy of the server binary inside a
temporary tree that mirrors the server's layout:

    TMP/inst/<bindir>/postgres            copy of the server binary
    TMP/inst/<pkglibdir>/*                links to the server's modules, plus caremetrics.so
    TMP/inst/<sharedir>/*                 links to the server's share files
    TMP/inst/<sharedir>/extension/*       links, plus caremetrics.control and its SQL script
    TMP/lib/libcaremetrics.so.N           the library, found through LD_LIBRARY_PATH
    TMP/data                              the cluster (initdb), with its unix socket

Nothing is written outside TMP, nothing listens on TCP, and the server is
stopped and TMP deleted on exit, also on error. As root, initdb and the
server run as the `postgres` account (PostgreSQL refuses to run as root).
"""

import os
import pwd
import shutil
import subprocess
import tempfile


class Unavailable(Exception):
    """The cluster cannot be set up here (the reason is the message)."""


def _mirror_dir(src, dst, skip=()):
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if name not in skip:
            os.symlink(os.path.join(src, name), os.path.join(dst, name))


class Cluster:
    def __init__(self, bindir, pkglibdir, sharedir, module, library, control, script,
                 settings=None, parent=None):
        self.bindir, self.pkglibdir, self.sharedir = bindir, pkglibdir, sharedir
        self.module, self.library, self.control, self.script = module, library, control, script
        self.settings = dict(settings or {})
        self.parent = parent
        self.dir = None
        self.running = False
        self.account = None

    def _as_server(self, args):
        env = ["env", "LD_LIBRARY_PATH=" + self.libdir]
        if self.account is not None:
            return ["runuser", "-u", self.account, "--"] + env + list(args)
        return env + list(args)

    def _layout(self):
        top = os.path.commonpath([self.bindir, self.pkglibdir, self.sharedir])
        inst = os.path.join(self.dir, "inst")

        def mirrored(path):
            return os.path.join(inst, os.path.relpath(path, top))

        bindir = mirrored(self.bindir)
        os.makedirs(bindir)
        # A copy, not a link: the server resolves links to find its own directory.
        shutil.copy2(os.path.join(self.bindir, "postgres"), bindir)
        self.postgres = os.path.join(bindir, "postgres")
        libdir = mirrored(self.pkglibdir)
        _mirror_dir(self.pkglibdir, libdir, skip=("caremetrics.so",))
        shutil.copy2(self.module, os.path.join(libdir, "caremetrics.so"))
        sharedir = mirrored(self.sharedir)
        _mirror_dir(self.sharedir, sharedir, skip=("extension",))
        ext = os.path.join(sharedir, "extension")
        _mirror_dir(os.path.join(self.sharedir, "extension"), ext,
                    skip=(os.path.basename(self.control), os.path.basename(self.script)))
        shutil.copy2(self.control, ext)
        shutil.copy2(self.script, ext)
        # The library under its soname, as the module's DT_NEEDED names it.
        self.libdir = os.path.join(self.dir, "lib")
        os.makedirs(self.libdir)
        soname = subprocess.run(["objdump", "-p", self.library], capture_output=True,
                                text=True).stdout
        name = next((line.split()[1] for line in soname.splitlines()
                     if line.strip().startswith("SONAME")), os.path.basename(self.library))
        shutil.copy2(self.library, os.path.join(self.libdir, name))

    def __enter__(self):
        for tool in ("initdb", "pg_ctl", "postgres", "psql"):
            if not os.access(os.path.join(self.bindir, tool), os.X_OK):
                raise Unavailable("no %s in %s (install postgresql-15)" % (tool, self.bindir))
        if os.geteuid() == 0:
            try:
                self.account = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no postgres account")
            if shutil.which("runuser") is None:
                raise Unavailable("running as root without runuser")
        self.dir = tempfile.mkdtemp(prefix="cm-pgext-", dir=self.parent)
        try:
            os.chmod(self.dir, 0o755)
            self._layout()
            data = os.path.join(self.dir, "data")
            os.mkdir(data, 0o700)
            if self.account is not None:
                os.chown(data, self.account.pw_uid, self.account.pw_gid)
                self.account = self.account.pw_name
            subprocess.run(
                self._as_server([os.path.join(self.bindir, "initdb"), "-D", data, "-U",
                                 "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                                 "--locale=C"]),
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
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
            self.log = os.path.join(data, "server.log")
            subprocess.run(
                self._as_server([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-w", "-s",
                                 "-p", self.postgres, "-l", self.log,
                                 "-o", " ".join("-c %s=%s" % kv for kv in opts.items()),
                                 "start"]),
                check=True, cwd="/")
            self.running = True
        except subprocess.CalledProcessError as e:
            log = ""
            if self.dir and os.path.exists(os.path.join(self.dir, "data", "server.log")):
                with open(os.path.join(self.dir, "data", "server.log")) as f:
                    log = f.read()
            self.__exit__(None, None, None)
            raise Unavailable("could not start a cluster: %s\n%s%s"
                              % (e, (e.stderr or b"").decode(errors="replace"), log))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def psql_cmd(self, *args):
        return [os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-h", self.socket,
                "-U", "postgres", "-v", "ON_ERROR_STOP=1"] + list(args)

    def run(self, sql, input=None):
        """(exit status, stdout, stderr) of psql running sql."""
        p = subprocess.run(self.psql_cmd("-c", sql), input=input, capture_output=True,
                           text=True)
        return p.returncode, p.stdout, p.stderr

    def psql(self, sql, input=None):
        rc, out, err = self.run(sql, input)
        if rc != 0:
            raise RuntimeError("psql failed on %r: %s" % (sql[:200], err.strip()))
        return out

    def server_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def __exit__(self, *exc):
        if self.running:
            subprocess.run(
                self._as_server([os.path.join(self.bindir, "pg_ctl"), "-D", self.socket, "-w",
                                 "-s", "-m", "fast", "stop"]),
                cwd="/")
            self.running = False
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        return False
