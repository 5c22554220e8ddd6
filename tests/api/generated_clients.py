"""Clients generated from the schema a live server serves, as a mobile team would.

`python_client(base_url, into)` runs openapi-python-client (pinned in requirements.lock)
on `GET /api/v1/schema/?format=json` and imports the generated package unmodified.
`typescript_check(base_url, into)` runs openapi-typescript on the same schema and
`tsc --noEmit` over tests/api/ts/client.ts, which calls the main operations through
openapi-fetch. Both use only what `make test` installed (.venv, .ci/node): nothing is
downloaded while the tests run.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import requests

REPO = Path(__file__).resolve().parents[2]
NODE_BIN = REPO / ".ci" / "node" / "node_modules" / ".bin"
TS_CLIENT = Path(__file__).resolve().parent / "ts" / "client.ts"
PACKAGE = "plantracker_client"
# No post-hooks: the generated code is used as generated (no ruff run over it).
GENERATOR_CONFIG = {"post_hooks": [], "project_name_override": PACKAGE}


def served_schema(base_url: str, into: Path) -> Path:
    response = requests.get(f"{base_url}/api/v1/schema/?format=json", timeout=30)
    assert response.status_code == 200, response.text[:500]
    path = into / "schema.json"
    path.write_bytes(response.content)
    return path


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def python_client(base_url: str, into: Path) -> ModuleType:
    """Generate the Python client into `into` and import it; fails on any generator warning."""
    schema = served_schema(base_url, into)
    config = into / "generator.json"
    config.write_text(json.dumps(GENERATOR_CONFIG))
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = _run(
        [
            str(generator), "generate", "--path", str(schema), "--config", str(config),
            "--meta", "none", "--output-path", str(into / PACKAGE), "--overwrite",
        ],
        cwd=into,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert "Warning" not in output and "WARNING" not in output, output[-4000:]
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(into))


def forget_python_client() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def typescript_check(base_url: str, into: Path) -> None:
    """openapi-typescript → schema.d.ts, then tsc --noEmit over client.ts against it."""
    schema = served_schema(base_url, into)
    _run([str(NODE_BIN / "openapi-typescript"), str(schema), "-o", str(into / "schema.d.ts")], into)
    shutil.copy(TS_CLIENT, into / "client.ts")
    (into / "node_modules").symlink_to(NODE_BIN.parent, target_is_directory=True)
    (into / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "es2022",
                    "module": "es2022",
                    "moduleResolution": "bundler",
                    "lib": ["es2022", "dom"],
                    "strict": True,
                    "noEmit": True,
                    "skipLibCheck": True,
                },
                "files": ["client.ts"],
            }
        )
    )
    _run([str(NODE_BIN / "tsc"), "--noEmit", "-p", str(into / "tsconfig.json")], into)
