"""Real-world sweep: run a steplint executable over the public configs of the manifest.

WHY: loud findings must be right on real repositories; this measures it on a fixed, pinned
sample (scripts/realworld/manifest.json: repo, 40-hex commit, path) read from a local mirror
of bare git directories (<mirror>/<owner>+<name>/repo, as the `fetch` tool lays them out).
No third-party file is ever written into the project: files go to a temporary tree.

    python scripts/realworld_sweep.py [--steplint PATH] [--mirror DIR]
    python scripts/realworld_sweep.py --compare OTHER_SUMMARY [--summary THIS_SUMMARY]

Per repository the files are laid out at their original relative paths in a temporary git
work tree (so includes and recipe groups resolve), and steplint runs once per batch with
`show --format json --isolated` and `check --output-format json --isolated`; a batch that
crashes is re-run file by file to name the file. Exit 2 with a message when the mirror or
a manifest commit is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "scripts" / "realworld" / "manifest.json"
JUDGEMENTS = ROOT / "scripts" / "realworld" / "judgements.json"
REPORT = ROOT / "docs" / "realworld-report.md"
SUMMARY = ROOT / "docs" / "realworld-summary.json"
DEFAULT_MIRROR = "/work/.mirror"
LOUD = ("warning", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent / "realworld"))
from realworld_render import compare_summaries, render_report  # noqa: E402  (sibling module)

HEX40 = re.compile(r"^[0-9a-f]{40}$")
# Facts kept per file in the summary (so two runs can be compared file by file).
KEPT_FACTS = ("n_params", "n_params_active", "n_params_total", "tokens", "seq_len",
              "global_batch_sequences", "global_batch_tokens", "train_steps", "peak_lr",
              "min_lr", "decay_style", "init")
CRASH_MARKS = ("Traceback (most recent call last)", "internal error", "Internal error")


class ManifestError(Exception):
    """The manifest is malformed (message names the entry)."""


class Entry(NamedTuple):
    repo: str
    commit: str
    path: str
    groups: Tuple[str, ...] = ()
    args: Tuple[str, ...] = ()
    stated: Tuple[Tuple[str, Dict[str, Any]], ...] = ()


class Unit(NamedTuple):
    """One steplint invocation: paths, the recipes declared among them, extra flags."""
    paths: Tuple[str, ...]
    recipes: Tuple[Tuple[str, ...], ...]
    args: Tuple[str, ...]


class Run(NamedTuple):
    rc: int
    stdout: str
    stderr: str
    seconds: float


# ---------------------------------------------------------------- pure parts

def parse_manifest(data: Dict[str, Any]) -> List[Entry]:
    """Validate and convert the manifest document; raise ManifestError naming the bad entry."""
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise ManifestError("manifest has no 'files' list")
    out: List[Entry] = []
    seen = set()
    for i, item in enumerate(files):
        where = f"files[{i}]"
        for key in ("repo", "commit", "path"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ManifestError(f"{where}: '{key}' must be a non-empty string")
        if not HEX40.match(item["commit"]):
            raise ManifestError(f"{where}: commit {item['commit']!r} is not 40 lowercase hex digits")
        if item["path"].startswith("/") or ".." in item["path"].split("/"):
            raise ManifestError(f"{where}: path {item['path']!r} must be relative, without '..'")
        key = (item["repo"], item["path"])
        if key in seen:
            raise ManifestError(f"{where}: {item['repo']}:{item['path']} is listed twice")
        seen.add(key)
        args = item.get("args", {})
        flags: List[str] = []
        if args:
            if not isinstance(args, dict) or "source" not in args:
                raise ManifestError(f"{where}: 'args' must be an object with a 'source' note")
            for name, value in sorted(args.items()):
                if name != "source":
                    flags += [f"--{name}", str(value)]
        stated = item.get("stated", {})
        for field, fact in stated.items():
            if not isinstance(fact, dict) or "value" not in fact or not fact.get("source"):
                raise ManifestError(f"{where}: stated '{field}' needs a value and a source")
        group = item.get("group") or ()
        groups = (group,) if isinstance(group, str) else tuple(group)
        if not all(isinstance(g, str) and g for g in groups):
            raise ManifestError(f"{where}: 'group' must be a name or a list of names")
        out.append(Entry(item["repo"], item["commit"], item["path"], groups,
                         tuple(flags), tuple(sorted(stated.items()))))
    return out


def plan_units(entries: Sequence[Entry]) -> List[Unit]:
    """Batch one repository's entries: one call for plain files (grouped recipes included),
    one call per distinct set of extra flags (flags apply to every recipe of a call)."""
    by_args: Dict[Tuple[str, ...], List[Entry]] = defaultdict(list)
    for e in entries:
        by_args[e.args].append(e)
    units = []
    for args, members in sorted(by_args.items()):
        groups: Dict[str, List[str]] = defaultdict(list)
        for e in members:
            for g in e.groups:
                groups[g].append(e.path)
        recipes = tuple(tuple(paths) for _, paths in sorted(groups.items()) if len(paths) > 1)
        units.append(Unit(tuple(e.path for e in members), recipes, args))
    return units


def split_unit(unit: Unit) -> List[Unit]:
    """A crashed batch, one recipe (or lone file) per call, to name the file that crashed."""
    grouped = {p for r in unit.recipes for p in r}
    parts = [Unit(r, (r,), unit.args) for r in unit.recipes]
    parts += [Unit((p,), (), unit.args) for p in unit.paths if p not in grouped]
    return parts


def command(steplint: Sequence[str], verb: str, unit: Unit) -> List[str]:
    fmt = ["--format", "json"] if verb == "show" else ["--output-format", "json"]
    cmd = list(steplint) + [verb] + fmt + ["--isolated"] + list(unit.args)
    for recipe in unit.recipes:
        cmd += ["--recipe", ",".join(recipe)]
    return cmd + ["--"] + list(unit.paths)


def is_crash(run: Run, verb: str) -> Optional[str]:
    """A reason when the run crashed: exit 2, a traceback, an internal error, or no JSON."""
    if any(mark in run.stderr or mark in run.stdout for mark in CRASH_MARKS):
        return "traceback/internal error"
    if run.rc == 2:
        return f"exit 2: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else 'no message'}"
    if run.rc not in (0, 1):
        return f"exit {run.rc}"
    try:
        json.loads(run.stdout)
    except ValueError:
        return f"{verb} printed no JSON document"
    return None


def norm(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def parse_show(text: str) -> Dict[str, Dict[str, Any]]:
    """Per file: dialects, kept facts (value + source kind/key), missing fields, recipe files."""
    doc = json.loads(text)
    out: Dict[str, Dict[str, Any]] = {}
    for recipe in doc.get("recipes", []):
        files = [norm(f) for f in recipe.get("files", [])]
        facts = recipe.get("facts", {})
        kept = {}
        for name in KEPT_FACTS:
            if name in facts:
                src = facts[name].get("source", {})
                kept[name] = {"value": facts[name].get("value"), "kind": src.get("kind"),
                              "key": src.get("key") or src.get("formula") or src.get("note")}
        record = {"dialects": recipe.get("dialects", []), "facts": kept,
                  "missing": [m.get("field") for m in recipe.get("missing", [])],
                  "recipe": files}
        for f in files:
            # A file of several recipes keeps the first (its own) recipe.
            out.setdefault(f, record)
    return out


def parse_check(text: str) -> Dict[str, List[Dict[str, Any]]]:
    """Per file: its diagnostics (code, severity, line, message)."""
    doc = json.loads(text)
    out: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for d in doc.get("diagnostics", []):
        out[norm(d.get("file") or "")].append({"code": d.get("code"), "severity": d.get("severity"),
                                              "line": d.get("line"), "message": d.get("message")})
    return dict(out)


def compare_fact(stated: Dict[str, Any], derived: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Right when derived is within the stated tolerance (default 2% relative; 0 for text)."""
    want = stated["value"]
    got = None if derived is None else derived.get("value")
    res = {"stated": want, "derived": got, "source": stated["source"],
           "tolerance": stated.get("tolerance", 0.02), "note": stated.get("note", "")}
    if stated.get("disagree"):
        res["note"] = (res["note"] + " " if res["note"] else "") + "repository disagrees with itself: " + stated["disagree"]
    if got is None:
        # A fact the file cannot determine (e.g. OLMo `max_duration: 1ep`): absent is the right answer.
        res.update(mark="missing-expected" if stated.get("not_in_file") else "missing", error=None)
        if stated.get("not_in_file"):
            res["note"] = (res["note"] + " " if res["note"] else "") + "not in the file: " + stated["not_in_file"]
    elif isinstance(want, (int, float)) and isinstance(got, (int, float)):
        err = (got - want) / want if want else float(got != want)
        res.update(error=err, mark="right" if abs(err) <= res["tolerance"] else "wrong")
    else:
        res.update(error=None, mark="right" if str(got) == str(want) else "wrong")
    if stated.get("disagree") and res["mark"] == "wrong":
        res["mark"] = "repo-inconsistent"   # steplint read the file right; counted apart
    return res


def summarize(entries: Sequence[Entry], results: Dict[Tuple[str, str], Dict[str, Any]],
              meta: Dict[str, Any]) -> Dict[str, Any]:
    """The machine-readable summary: per-code loud counts, per-repo and per-file records."""
    per_code: Dict[str, Counter] = defaultdict(Counter)
    repos: Dict[str, Dict[str, Any]] = {}
    files: Dict[str, Any] = {}
    facts_checked = facts_right = 0
    marks: Counter = Counter()
    for e in entries:
        r = results.get((e.repo, e.path), {})
        rep = repos.setdefault(e.repo, {"files": 0, "crashes": 0, "dialects": Counter(),
                                        "init": Counter(), "loud": Counter(), "seconds": 0.0,
                                        "facts_checked": 0, "facts_right": 0})
        rep["files"] += 1
        rep["crashes"] += 1 if r.get("crash") else 0
        for d in r.get("dialects") or ["(none)"]:
            rep["dialects"][d] += 1
        init = (r.get("facts", {}).get("init") or {}).get("value") or "(absent)"
        rep["init"][init] += 1
        codes = []
        for d in r.get("diagnostics", []):
            if d["severity"] in LOUD:
                per_code[d["code"]][d["severity"]] += 1
                rep["loud"][f"{d['code']} {d['severity']}"] += 1
                codes.append(f"{d['code']}:{d['severity']}:{d['line']}")
        for chk in r.get("checks", []):
            marks[chk["mark"]] += 1
            facts_checked += 1
            rep["facts_checked"] += 1
            if chk["mark"] in ("right", "missing-expected"):
                facts_right += 1
                rep["facts_right"] += 1
        files[f"{e.repo}:{e.path}"] = {
            "dialects": r.get("dialects", []), "init": init, "crash": r.get("crash"),
            "loud": codes, "facts": {k: v["value"] for k, v in r.get("facts", {}).items()}}
    for rep in repos.values():
        rep["seconds"] = 0.0
    for (repo, _), r in results.items():
        if repo in repos:
            rep = repos[repo]
            rep["seconds"] = round(rep["seconds"] + r.get("seconds", 0.0), 3)
    return {
        **meta,
        "files": len(entries), "repositories": len(repos),
        "crashes": sum(rep["crashes"] for rep in repos.values()),
        "facts_checked": facts_checked, "facts_right": facts_right,
        "facts_marks": dict(sorted(marks.items())),
        "per_code": {c: dict(sorted(v.items())) for c, v in sorted(per_code.items())},
        "per_repo": {k: {**v, "dialects": dict(v["dialects"].most_common()),
                         "init": dict(v["init"].most_common()),
                         "loud": dict(sorted(v["loud"].items()))}
                     for k, v in sorted(repos.items())},
        "per_file": files,
    }


# ---------------------------------------------------------------- I/O edges

def git_dir(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def read_blob(mirror: Path, e: Entry) -> bytes:
    proc = subprocess.run(["git", "--git-dir", str(git_dir(mirror, e.repo)), "show",
                           f"{e.commit}:{e.path}"], capture_output=True)
    if proc.returncode != 0:
        raise FileNotFoundError(f"{e.repo}@{e.commit[:12]}:{e.path}: "
                                f"{proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def lay_out(mirror: Path, entries: Sequence[Entry], root: Path) -> None:
    """The repository's manifest files at their own relative paths in a fresh git work tree
    (steplint follows paths only inside the work tree of the file it was given)."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for e in entries:
        target = root / e.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read_blob(mirror, e))


def run(cmd: Sequence[str], cwd: Path, timeout: float = 600) -> Run:
    t0 = time.perf_counter()
    try:
        p = subprocess.run(list(cmd), cwd=str(cwd), capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
        return Run(p.returncode, p.stdout, p.stderr, time.perf_counter() - t0)
    except subprocess.TimeoutExpired:
        return Run(-9, "", f"timed out after {timeout} s", time.perf_counter() - t0)


def sweep_unit(steplint: Sequence[str], unit: Unit, root: Path,
               results: Dict[str, Dict[str, Any]]) -> float:
    """Run show and check on one unit; on a crash, split it and name the file."""
    show, check = run(command(steplint, "show", unit), root), run(command(steplint, "check", unit), root)
    crash = is_crash(show, "show") or is_crash(check, "check")
    parts = split_unit(unit)
    if crash and len(parts) > 1:
        return sum(sweep_unit(steplint, part, root, results) for part in parts)
    shown = parse_show(show.stdout) if not is_crash(show, "show") else {}
    checked = parse_check(check.stdout) if not is_crash(check, "check") else {}
    seconds = show.seconds + check.seconds
    for p in unit.paths:
        rec = shown.get(p, {})
        results[p] = {"dialects": rec.get("dialects", []), "facts": rec.get("facts", {}),
                      "missing": rec.get("missing", []), "recipe": rec.get("recipe", [p]),
                      "diagnostics": checked.get(p, []),
                      "crash": crash and f"{crash} ({'show' if is_crash(show, 'show') else 'check'})",
                      "seconds": seconds / len(unit.paths)}
    return seconds


def steplint_version(steplint: Sequence[str]) -> str:
    p = subprocess.run(list(steplint) + ["--version"], capture_output=True, text=True)
    return (p.stdout or p.stderr).strip()


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Run steplint over the real-world manifest.")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--mirror", default=os.environ.get("STEPLINT_MIRROR", DEFAULT_MIRROR))
    ap.add_argument("--steplint", default=None,
                    help="steplint command, e.g. /wt/.venv/bin/steplint or 'python -m steplint' (default: on PATH)")
    ap.add_argument("--label", default="", help="free text recorded in the summary, e.g. 'main 33358a6'")
    ap.add_argument("--repo", action="append", default=[], help="only these repositories")
    ap.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    ap.add_argument("--report", type=Path, default=REPORT)
    ap.add_argument("--summary", type=Path, default=SUMMARY)
    ap.add_argument("--results", type=Path, default=None, help="also write every per-file record")
    ap.add_argument("--from-results", type=Path, default=None,
                    help="re-render report and summary from a --results file (no steplint run), e.g. after editing judgements")
    ap.add_argument("--compare", type=Path, default=None,
                    help="print per-code before (OTHER) / after (--summary) counts and exit")
    ns = ap.parse_args(argv)

    if ns.compare:
        try:
            before, after = json.loads(ns.compare.read_text()), json.loads(ns.summary.read_text())
        except (OSError, ValueError) as exc:
            print(f"realworld_sweep: cannot read a summary: {exc}", file=sys.stderr)
            return 2
        print("\n".join(compare_summaries(before, after)))
        return 0

    try:
        entries = parse_manifest(json.loads(ns.manifest.read_text()))
    except (OSError, ValueError, ManifestError) as exc:
        print(f"realworld_sweep: bad manifest {ns.manifest}: {exc}", file=sys.stderr)
        return 2
    if ns.repo:
        entries = [e for e in entries if e.repo in ns.repo]
    judgements = json.loads(ns.judgements.read_text()) if ns.judgements.exists() else {}
    if ns.from_results:
        saved = json.loads(ns.from_results.read_text())
        meta = saved.pop("_meta", {})
        results = {tuple(k.split(":", 1)): v for k, v in saved.items()}
        entries = [e for e in entries if (e.repo, e.path) in results]
        for e in entries:   # re-judge the stated facts (the manifest may have gained some)
            rec = results[(e.repo, e.path)]
            rec["checks"] = [{"field": f, **compare_fact(fact, rec["facts"].get(f))} for f, fact in e.stated]
        return _write(ns, entries, results, meta, judgements)
    mirror = Path(ns.mirror)
    absent = sorted({e.repo for e in entries if not git_dir(mirror, e.repo).is_dir()})
    if absent:
        print(f"realworld_sweep: the mirror {mirror} lacks {len(absent)} repositories "
              f"({', '.join(absent[:5])}{', ...' if len(absent) > 5 else ''}); fetch them "
              "(<mirror>/<owner>+<name>/repo, a bare git dir) or pass --mirror / STEPLINT_MIRROR",
              file=sys.stderr)
        return 2
    steplint = shlex.split(ns.steplint) if ns.steplint else [shutil.which("steplint") or ""]
    if not steplint or not steplint[0] or not shutil.which(steplint[0]):
        print("realworld_sweep: no steplint executable found; pass --steplint PATH", file=sys.stderr)
        return 2

    results: Dict[Tuple[str, str], Dict[str, Any]] = {}
    total = 0.0
    by_repo: Dict[str, List[Entry]] = defaultdict(list)
    for e in entries:
        by_repo[e.repo].append(e)
    for repo, members in sorted(by_repo.items()):
        with tempfile.TemporaryDirectory(prefix="realworld-") as tmp:
            root = Path(tmp) / "tree"
            try:
                lay_out(mirror, members, root)
            except FileNotFoundError as exc:
                print(f"realworld_sweep: {exc}", file=sys.stderr)
                return 2
            per_path: Dict[str, Dict[str, Any]] = {}
            for unit in plan_units(members):
                total += sweep_unit(steplint, unit, root, per_path)
        for e in members:
            rec = per_path[e.path]
            rec["checks"] = [{"field": f, **compare_fact(fact, rec["facts"].get(f))}
                             for f, fact in e.stated]
            results[(repo, e.path)] = rec
        print(f"{repo}: {len(members)} files, "
              f"{sum(1 for e in members if per_path[e.path]['crash'])} crashes", file=sys.stderr)

    meta = {"steplint_version": steplint_version(steplint), "steplint_label": ns.label,
            "seconds": round(total, 1)}
    return _write(ns, entries, results, meta, judgements)


def _write(ns: argparse.Namespace, entries: Sequence[Entry], results: Dict[Tuple[str, str], Dict[str, Any]],
           meta: Dict[str, Any], judgements: Dict[str, Any]) -> int:
    summary = summarize(entries, results, meta)
    ns.summary.parent.mkdir(parents=True, exist_ok=True)
    ns.summary.write_text(json.dumps(summary, indent=1, sort_keys=False) + "\n")
    ns.report.parent.mkdir(parents=True, exist_ok=True)
    ns.report.write_text(render_report(summary, results, judgements))
    if ns.results:
        records = {f"{k[0]}:{k[1]}": v for k, v in sorted(results.items())}
        ns.results.write_text(json.dumps({"_meta": meta, **records}, indent=1) + "\n")
    print(f"{summary['files']} files, {summary['repositories']} repositories, "
          f"{summary['crashes']} crashes, facts {summary['facts_right']}/{summary['facts_checked']} "
          f"right; wrote {ns.report} and {ns.summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
