#!/usr/bin/python3
"""Runs every fenced code block tagged c, python or lua in README.md and docs/*.md.

The documentation promises that its examples run as written; this holds it
to that, one TAP line per block ("README.md:263 python"):

- python blocks are scripts, run with CAREMETRICS_LIBRARY set to the built
  library and PYTHONPATH=bindings/python, from the repository root (so
  paths like examples/data/... work);
- lua blocks run under lua5.4 with LUA_CPATH pointing at the built module;
- c blocks are compiled against the built library and run: a block with a
  main function is a whole program; any other block is wrapped in
  ``int main(void) { ... return 0; }`` after <caremetrics.h>, <stdio.h>,
  <stdlib.h>, <string.h> and <inttypes.h> (its own #include lines are
  moved above main).

Each must exit with status 0. A block that is not meant to run alone (an
excerpt, a grammar, a shell session) takes another tag, such as text or sh.
A python block that needs a package this machine lacks is skipped, naming
the package.

usage: test-docs.py --root DIR --library PATH --include DIR... [--lua-cpath PATTERN]
                    [--cc CC] [--cflags FLAG...] [FILE.md...]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, List, Tuple

LANGUAGES = ("c", "python", "lua")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*(?P<info>[^\s`]*)")
C_PRELUDE = "#include <caremetrics.h>\n#include <inttypes.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
TIMEOUT = 120


def blocks(path: Path) -> Iterator[Tuple[int, str, str]]:
    """(line of the opening fence, language, code) of each fenced block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent, lang = m.group("fence"), len(m.group("indent")), m.group("info").lower()
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            line = lines[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line)
            i += 1
        i += 1
        yield start, lang, "\n".join(body) + "\n"


def run(cmd: List[str], env: dict, cwd: str) -> Tuple[int, str]:
    try:
        p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 1, f"timed out after {TIMEOUT} s"
    return p.returncode, p.stdout.decode(errors="replace")


def c_program(code: str) -> str:
    if re.search(r"\bmain\s*\(", code):
        return code
    includes = [l for l in code.split("\n") if l.lstrip().startswith("#include")]
    body = "\n".join(l for l in code.split("\n") if not l.lstrip().startswith("#include"))
    return C_PRELUDE + "\n".join(includes) + "\n\nint main(void)\n{\n" + body + "\n    return 0;\n}\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--library", required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--lua-cpath")
    ap.add_argument("--lua", default="lua5.4")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cflags", default="")
    ap.add_argument("--preload", default="", help="LD_PRELOAD for the interpreters (sanitized builds)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()

    root = Path(args.root).resolve()
    files = [Path(f) for f in args.files] or [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    library = Path(args.library).resolve()
    env = dict(os.environ)
    env.update(
        CAREMETRICS_LIBRARY=str(library),
        PYTHONPATH=str(root / "bindings" / "python"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if args.lua_cpath:
        env["LUA_CPATH"] = args.lua_cpath
    interp_env = dict(env)
    if args.preload:
        interp_env["LD_PRELOAD"] = args.preload
        interp_env["ASAN_OPTIONS"] = "detect_leaks=0"
    c_env = dict(env)
    c_env["ASAN_OPTIONS"] = "detect_leaks=0"  # examples, not the library's leak tests

    found = [(f, line, lang, code) for f in files for line, lang, code in blocks(f) if lang in LANGUAGES]
    print(f"1..{len(found)}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="caremetrics-docs-") as tmp:
        for k, (f, line, lang, code) in enumerate(found, 1):
            name = f"{f.resolve().relative_to(root)}:{line} {lang}"
            skip = None
            if lang == "python":
                script = Path(tmp) / f"block{k}.py"
                script.write_text(code)
                status, out = run([args.python, str(script)], interp_env, str(root))
                missing = re.search(r"ModuleNotFoundError: No module named '([^']+)'", out)
                if status and missing and missing.group(1).split(".")[0] != "caremetrics":
                    skip = f"needs the Python package {missing.group(1)}"
            elif lang == "lua":
                if not args.lua_cpath:
                    skip = "the Lua module is not built"
                    status, out = 0, ""
                else:
                    script = Path(tmp) / f"block{k}.lua"
                    script.write_text(code)
                    status, out = run([args.lua, str(script)], interp_env, str(root))
            else:
                src = Path(tmp) / f"block{k}.c"
                exe = Path(tmp) / f"block{k}"
                src.write_text(c_program(code))
                cmd = [*shlex.split(args.cc), "-std=c11", "-Wall", "-Wno-unused-variable", "-Wno-unused-but-set-variable",
                       *shlex.split(args.cflags), *(f"-I{d}" for d in args.include), str(src), "-o", str(exe),
                       f"-L{library.parent}", f"-Wl,-rpath,{library.parent}", f"-l:{library.name}", "-lm"]
                status, out = run(cmd, c_env, str(root))
                if status == 0:
                    status, out = run([str(exe)], c_env, str(root))
                else:
                    out = "does not compile:\n" + out
            if skip:
                print(f"ok {k} - {name} # SKIP {skip}")
            elif status == 0:
                print(f"ok {k} - {name}")
            else:
                failed += 1
                print(f"not ok {k} - {name} (exit status {status})")
                for l in out.rstrip().split("\n")[-25:]:
                    print(f"# {l}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
